// The app: context values (`cdk deploy -c key=value`, or cdk.json) to the
// stack's props. bin/cargomon.ts runs it; the tests call it too.

import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { CargomonStack } from './cargomon-stack';

/** deploy/aws, whether this runs from lib/ (ts-node) or dist/lib/ (compiled). */
const PACKAGE_ROOT = path.resolve(
  __dirname,
  '..',
  path.basename(path.dirname(__dirname)) === 'dist' ? '..' : '.',
);
const REPO_ROOT = path.resolve(PACKAGE_ROOT, '..', '..');

export const DEFAULT_ZIP = path.join(REPO_ROOT, 'build-release', 'cargomon-lambda.zip');
export const DEFAULT_WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');

function text(app: cdk.App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function flag(app: cdk.App, key: string): boolean | undefined {
  const value = text(app, key);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`context ${key}: true or false, not '${value}'`);
}

function integer(app: cdk.App, key: string): number | undefined {
  const value = text(app, key);
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new Error(`context ${key}: a whole number, not '${value}'`);
  return Number(value);
}

/**
 * Context keys (all optional):
 *   stackName     default Cargomon
 *   prefix        table prefix, default cargomon
 *   zip           the Lambda package, default ../../build-release/cargomon-lambda.zip
 *   webDist       the built dashboard, default ../../web/dist (uploaded only if it exists;
 *                 webDist=none skips it)
 *   restApi       true: API Gateway REST in front (default false)
 *   restRate, restBurst   its stage throttling (default 100, 200)
 *   corsOrigins   comma-separated origins allowed to call the function URL directly
 *   alarmEmail    an address subscribed to the alarms
 *   reservedConcurrency   a ceiling on concurrent environments
 *   memory        MB, default 256
 *   streaming     false: a buffered function URL (default true)
 */
export function buildApp(app: cdk.App = new cdk.App()): { app: cdk.App; stack: CargomonStack } {
  const relative = (p: string) => path.resolve(process.cwd(), p);
  const zip = text(app, 'zip');
  const webDist = text(app, 'webDist');
  const rate = integer(app, 'restRate');
  const burst = integer(app, 'restBurst');
  const stack = new CargomonStack(app, text(app, 'stackName') ?? 'Cargomon', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'cargomon: delivery monitoring API on Lambda + DynamoDB, dashboard on CloudFront',
    codePath: zip ? relative(zip) : DEFAULT_ZIP,
    tablePrefix: text(app, 'prefix'),
    webDistPath: webDist === 'none' ? undefined : webDist ? relative(webDist) : DEFAULT_WEB_DIST,
    restApi: flag(app, 'restApi'),
    restThrottle:
      rate !== undefined || burst !== undefined
        ? { rateLimit: rate ?? 100, burstLimit: burst ?? 200 }
        : undefined,
    corsOrigins: text(app, 'corsOrigins')
      ?.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    alarmEmail: text(app, 'alarmEmail'),
    reservedConcurrency: integer(app, 'reservedConcurrency'),
    memorySize: integer(app, 'memory'),
    responseStreaming: flag(app, 'streaming'),
  });
  return { app, stack };
}
