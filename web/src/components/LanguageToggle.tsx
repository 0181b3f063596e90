import { useI18n } from '@/lib/i18n';

export function LanguageToggle() {
  const { lang, setLang, t } = useI18n();
  const next = lang === 'es' ? 'en' : 'es';
  return (
    <button
      type="button"
      className="button button--ghost"
      lang={next}
      title={t('lang.toggleLabel')}
      onClick={() => setLang(next)}
    >
      {t('lang.toggle')}
    </button>
  );
}
