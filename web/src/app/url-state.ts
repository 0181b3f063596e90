// The day and courier filter live in the URL (?fecha=…&repartidor=…) so a
// view can be bookmarked or shared.

export interface UrlState {
  fecha: string | null;
  repartidor: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readUrlState(): UrlState {
  const params = new URLSearchParams(window.location.search);
  const fecha = params.get('fecha');
  return {
    fecha: fecha && DAY.test(fecha) ? fecha : null,
    repartidor: params.get('repartidor') ?? '',
  };
}

export function writeUrlState(state: UrlState): void {
  const params = new URLSearchParams(window.location.search);
  if (state.fecha) params.set('fecha', state.fecha);
  else params.delete('fecha');
  if (state.repartidor) params.set('repartidor', state.repartidor);
  else params.delete('repartidor');
  const qs = params.toString();
  const url = `${window.location.pathname}${qs ? `?${qs}` : ''}${window.location.hash}`;
  if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
    window.history.replaceState(window.history.state, '', url);
  }
}

/** The wall screen's mode (?pantalla=1): set by the URL, or by its button. */
export function readTvMode(): boolean {
  const value = new URLSearchParams(window.location.search).get('pantalla');
  return value === '1' || value === 'true';
}

export function writeTvMode(on: boolean): void {
  const params = new URLSearchParams(window.location.search);
  if (on) params.set('pantalla', '1');
  else params.delete('pantalla');
  const qs = params.toString();
  window.history.replaceState(
    window.history.state,
    '',
    `${window.location.pathname}${qs ? `?${qs}` : ''}${window.location.hash}`,
  );
}
