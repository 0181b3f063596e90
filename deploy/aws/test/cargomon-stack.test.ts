// The stack's template, pinned offline: `npm test` compiles this and runs it
// with `node --test`. Nothing here calls AWS: CDK synthesizes CloudFormation
// locally, and the assertions read it. The code asset is a temporary
// directory with a dummy `bootstrap`, so the real zip is not needed.
//
// Some tests read the C++ sources (the router, the store, the EMF lines) so
// that the template cannot drift from what the program does.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../lib/app';
import {
  API_PATH_PATTERNS,
  CargomonStack,
  CargomonStackProps,
  EMF_NAMESPACE,
  STORE_DYNAMODB_ACTIONS,
  STORE_METRIC_OPERATIONS,
} from '../lib/cargomon-stack';

// dist/test/ -> deploy/aws -> the repository.
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const REPO_ROOT = path.resolve(PACKAGE_ROOT, '..', '..');
const source = (relative: string) => fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');

// The feature flags cdk.json gives the real app: the tests synthesize the same.
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(PACKAGE_ROOT, 'cdk.json'), 'utf8'),
).context;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cargomon-cdk-test-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const codeDir = path.join(scratch, 'code');
fs.mkdirSync(codeDir);
fs.writeFileSync(path.join(codeDir, 'bootstrap'), 'not a real bootstrap\n');

type Resources = Record<string, { Type: string; Properties?: any; [key: string]: any }>;

function synth(props: Partial<CargomonStackProps> = {}): {
  stack: CargomonStack;
  template: Template;
  resources: Resources;
} {
  const app = new cdk.App({ context: CDK_JSON_CONTEXT });
  const stack = new CargomonStack(app, 'Test', { codePath: codeDir, ...props });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources };
}

function logicalIds(resources: Resources, type: string): string[] {
  return Object.keys(resources).filter((id) => resources[id].Type === type);
}

function only(resources: Resources, type: string): { id: string; props: any } {
  const ids = logicalIds(resources, type);
  assert.equal(ids.length, 1, `exactly one ${type}, found ${ids.length}`);
  return { id: ids[0], props: resources[ids[0]].Properties };
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every IAM statement in the template, with where it is. */
function allStatements(resources: Resources): { where: string; statement: any }[] {
  const found: { where: string; statement: any }[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents: any[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(resource.Properties.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties.Policies ?? [])
        documents.push(policy.PolicyDocument);
    }
    for (const document of documents) {
      for (const statement of document.Statement) found.push({ where: id, statement });
    }
  }
  return found;
}

// The default stack, synthesized once for the tests that only read it.
const base = synth();
const tableIds = logicalIds(base.resources, 'AWS::DynamoDB::Table');
const tableOf = (name: string) => {
  const id = tableIds.find((candidate) => base.resources[candidate].Properties.TableName === name);
  assert.ok(id, `a table named ${name}`);
  return id;
};
const ordersId = tableOf('cargomon-orders');
const usersId = tableOf('cargomon-users');
const functionId = only(base.resources, 'AWS::Lambda::Function').id;
const topicId = only(base.resources, 'AWS::SNS::Topic').id;

describe('DynamoDB tables', () => {
  test('two tables, each as the store creates it: p/k strings, on demand, PITR, retained', () => {
    assert.equal(tableIds.length, 2);
    for (const id of [ordersId, usersId]) {
      const resource = base.resources[id];
      assert.deepEqual(resource.Properties.KeySchema, [
        { AttributeName: 'p', KeyType: 'HASH' },
        { AttributeName: 'k', KeyType: 'RANGE' },
      ]);
      assert.deepEqual(resource.Properties.AttributeDefinitions, [
        { AttributeName: 'p', AttributeType: 'S' },
        { AttributeName: 'k', AttributeType: 'S' },
      ]);
      assert.equal(resource.Properties.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(resource.Properties.PointInTimeRecoverySpecification, {
        PointInTimeRecoveryEnabled: true,
      });
      assert.equal(resource.Properties.DeletionProtectionEnabled, true);
      // The store's CreateTable makes no secondary index: neither do we.
      assert.equal(resource.Properties.GlobalSecondaryIndexes, undefined);
      assert.equal(resource.Properties.LocalSecondaryIndexes, undefined);
      assert.equal(resource.Properties.ProvisionedThroughput, undefined);
      assert.equal(resource.DeletionPolicy, 'Retain');
      assert.equal(resource.UpdateReplacePolicy, 'Retain');
    }
  });

  test("the key schema is the one in the store's own CreateTable", () => {
    const store = source('src/storage/dynamodb/dynamodb_store.cpp');
    const create = store.slice(
      store.indexOf('json::object request{'),
      store.indexOf('"CreateTable"'),
    );
    assert.match(create, /\{"AttributeName", "p"\}, \{"AttributeType", "S"\}/);
    assert.match(create, /\{"AttributeName", "k"\}, \{"AttributeType", "S"\}/);
    assert.match(create, /\{"AttributeName", "p"\}, \{"KeyType", "HASH"\}/);
    assert.match(create, /\{"AttributeName", "k"\}, \{"KeyType", "RANGE"\}/);
    assert.match(create, /\{"BillingMode", "PAY_PER_REQUEST"\}/);
    assert.doesNotMatch(create, /SecondaryIndexes/);
    assert.match(store, /orders_table_ = options_\.table_prefix \+ "-orders"/);
    assert.match(store, /users_table_ = options_\.table_prefix \+ "-users"/);
  });

  test('the prefix names the tables and the store URL', () => {
    const { resources } = synth({ tablePrefix: 'acme.prod_2' });
    const names = logicalIds(resources, 'AWS::DynamoDB::Table')
      .map((id) => resources[id].Properties.TableName)
      .sort();
    assert.deepEqual(names, ['acme.prod_2-orders', 'acme.prod_2-users']);
    const fn = only(resources, 'AWS::Lambda::Function').props;
    assert.equal(
      fn.Environment.Variables.CARGOMON_STORE,
      'dynamodb://acme.prod_2?create_tables=false',
    );
  });

  test('a prefix the store would refuse is refused at synth', () => {
    for (const bad of ['', 'a/b', 'a b', 'x'.repeat(201), 'ñandú']) {
      assert.throws(() => synth({ tablePrefix: bad }), /table prefix/, `prefix '${bad}'`);
    }
  });
});

describe('the function', () => {
  const fn = base.resources[functionId].Properties;

  test('provided.al2023 on x86_64, handler bootstrap, 256 MB, 15 minutes', () => {
    assert.equal(fn.Runtime, 'provided.al2023');
    assert.deepEqual(fn.Architectures, ['x86_64']);
    assert.equal(fn.Handler, 'bootstrap');
    assert.equal(fn.MemorySize, 256);
    assert.equal(fn.Timeout, 900);
    assert.equal(fn.ReservedConcurrentExecutions, undefined);
  });

  test('its environment: the DynamoDB store without table creation, Bogotá, the secrets', () => {
    const env = fn.Environment.Variables;
    assert.deepEqual(Object.keys(env).sort(), [
      'CARGOMON_ADMIN_PASSWORD',
      'CARGOMON_JWT_SECRET',
      'CARGOMON_LAMBDA_STREAMING',
      'CARGOMON_STORE',
      'CARGOMON_TIMEZONE',
    ]);
    assert.equal(env.CARGOMON_STORE, 'dynamodb://cargomon?create_tables=false');
    assert.equal(env.CARGOMON_TIMEZONE, 'America/Bogota');
  });

  test('create_tables=false is the spelling the store URL parser accepts', () => {
    assert.match(source('src/storage/open_store.cpp'), /query == "create_tables=false"/);
    assert.match(source('src/cli/settings.cpp'), /->envname\("CARGOMON_STORE"\)/);
    assert.match(source('src/cli/settings.cpp'), /->envname\("CARGOMON_JWT_SECRET"\)/);
  });

  test('the secrets are dynamic references to generated secrets, never values', () => {
    const env = fn.Environment.Variables;
    const secretIds = logicalIds(base.resources, 'AWS::SecretsManager::Secret');
    assert.equal(secretIds.length, 2);
    for (const [variable, minimum] of [
      ['CARGOMON_JWT_SECRET', 32],
      ['CARGOMON_ADMIN_PASSWORD', 16],
    ] as const) {
      const value = env[variable];
      assert.deepEqual(Object.keys(value), ['Fn::Join'], `${variable} is not a literal`);
      const [separator, parts] = value['Fn::Join'];
      assert.equal(separator, '');
      assert.equal(parts[0], '{{resolve:secretsmanager:');
      assert.equal(parts[2], ':SecretString:::}}');
      const secretId = parts[1].Ref;
      assert.ok(secretIds.includes(secretId), `${variable} refers to a secret of this stack`);
      const generated = base.resources[secretId].Properties.GenerateSecretString;
      assert.ok(generated.PasswordLength >= minimum, `${variable} has >= ${minimum} characters`);
      assert.equal(generated.ExcludePunctuation, true);
      assert.equal(base.resources[secretId].Properties.SecretString, undefined);
    }
    // Resolved by CloudFormation, so the function needs no Secrets Manager access.
    for (const { statement } of allStatements(base.resources)) {
      for (const action of toArray<string>(statement.Action)) {
        assert.ok(!action.startsWith('secretsmanager:'), `no ${action} granted`);
      }
    }
  });

  test('its log group keeps 30 days and is the one the function logs to', () => {
    const logGroups = logicalIds(base.resources, 'AWS::Logs::LogGroup');
    assert.equal(logGroups.length, 1);
    assert.equal(base.resources[logGroups[0]].Properties.RetentionInDays, 30);
    assert.deepEqual(fn.LoggingConfig, { LogGroup: { Ref: logGroups[0] } });
  });

  test('memory, timeout, reserved concurrency and retention follow the props', () => {
    const { resources } = synth({
      memorySize: 512,
      timeout: cdk.Duration.seconds(30),
      reservedConcurrency: 20,
      logRetention: 7,
    });
    const props = only(resources, 'AWS::Lambda::Function').props;
    assert.equal(props.MemorySize, 512);
    assert.equal(props.Timeout, 30);
    assert.equal(props.ReservedConcurrentExecutions, 20);
    assert.equal(only(resources, 'AWS::Logs::LogGroup').props.RetentionInDays, 7);
  });

  test('a missing package is refused at synth, naming the script that makes it', () => {
    assert.throws(
      () => synth({ codePath: path.join(scratch, 'no-such.zip') }),
      /scripts\/package-lambda\.sh/,
    );
  });
});

describe('the function URL', () => {
  test('response streaming, auth NONE, no CORS when the dashboard is same-origin', () => {
    const url = only(base.resources, 'AWS::Lambda::Url').props;
    assert.equal(url.InvokeMode, 'RESPONSE_STREAM');
    assert.equal(url.AuthType, 'NONE');
    assert.deepEqual(url.TargetFunctionArn, { 'Fn::GetAtt': [functionId, 'Arn'] });
    assert.equal(url.Cors, undefined);
  });

  test('CORS for the given origins, on the URL and in the app', () => {
    const origins = ['https://dashboard.example.com', 'http://localhost:5173'];
    const { resources } = synth({ corsOrigins: origins });
    const url = only(resources, 'AWS::Lambda::Url').props;
    assert.deepEqual(url.Cors, {
      AllowOrigins: origins,
      AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
      AllowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      MaxAge: 600,
    });
    const env = only(resources, 'AWS::Lambda::Function').props.Environment.Variables;
    assert.equal(env.CARGOMON_CORS_ORIGINS, origins.join(','));
  });

  test('the allowed CORS headers are the ones the router allows', () => {
    assert.match(
      source('src/api/router.cpp'),
      /"Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID"/,
    );
  });

  test('the function streams its answers exactly when its URL streams', () => {
    const env = (resources: Resources) =>
      only(resources, 'AWS::Lambda::Function').props.Environment.Variables;
    assert.equal(env(base.resources).CARGOMON_LAMBDA_STREAMING, 'true');
    // The setting the program reads (src/cli/lambda.cpp).
    assert.match(source('src/cli/lambda.cpp'), /"CARGOMON_LAMBDA_STREAMING"/);
    const { resources } = synth({ responseStreaming: false });
    assert.equal(only(resources, 'AWS::Lambda::Url').props.InvokeMode, 'BUFFERED');
    assert.equal(env(resources).CARGOMON_LAMBDA_STREAMING, undefined);
  });

  test('with restApi the function is buffered, and streaming with it is refused', () => {
    const { resources } = synth({ restApi: true });
    assert.equal(only(resources, 'AWS::Lambda::Url').props.InvokeMode, 'BUFFERED');
    assert.equal(
      only(resources, 'AWS::Lambda::Function').props.Environment.Variables
        .CARGOMON_LAMBDA_STREAMING,
      undefined,
    );
    assert.throws(() => synth({ restApi: true, responseStreaming: true }), /exclude each other/);
  });
});

describe('IAM: least privilege', () => {
  const tableArns = [{ 'Fn::GetAtt': [ordersId, 'Arn'] }, { 'Fn::GetAtt': [usersId, 'Arn'] }];

  test("the function's role grants exactly the store's DynamoDB actions on its two tables", () => {
    const roleRef = fnRoleId();
    const statements = allStatements(base.resources).filter(({ where }) => {
      const resource = base.resources[where];
      return (
        where === roleRef ||
        toArray(resource.Properties.Roles).some((role: any) => role.Ref === roleRef)
      );
    });
    const dynamo = statements.filter(({ statement }) =>
      toArray<string>(statement.Action).some((action) => action.startsWith('dynamodb:')),
    );
    assert.equal(dynamo.length, 1, 'one DynamoDB statement');
    const [{ statement }] = dynamo;
    assert.equal(statement.Effect, 'Allow');
    assert.deepEqual(toArray(statement.Action), [
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    assert.deepEqual(toArray(statement.Resource), tableArns);
    assert.equal(statement.Condition, undefined);

    // Besides it, only writing to its own log group.
    const others = statements.filter((entry) => entry !== dynamo[0]);
    assert.equal(others.length, 1);
    assert.deepEqual(toArray(others[0].statement.Action), [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const logGroup = logicalIds(base.resources, 'AWS::Logs::LogGroup')[0];
    assert.deepEqual(others[0].statement.Resource, { 'Fn::GetAtt': [logGroup, 'Arn'] });
    // And no managed policy (AWSLambdaBasicExecutionRole's logs actions are on "*").
    assert.equal(base.resources[roleRef].Properties.ManagedPolicyArns, undefined);
  });

  function fnRoleId(): string {
    const role = base.resources[functionId].Properties.Role;
    assert.equal(role['Fn::GetAtt'][1], 'Arn');
    return role['Fn::GetAtt'][0];
  }

  test('the granted actions are the calls the store makes (read from its source)', () => {
    const store = source('src/storage/dynamodb/dynamodb_store.cpp');
    const calls = new Set(
      [...store.matchAll(/call(?:_async)?\(\s*"([A-Za-z]+)"/g)].map((match) => match[1]),
    );
    assert.deepEqual([...calls].sort(), [
      'BatchWriteItem',
      'CreateTable',
      'DeleteItem',
      'DescribeTable',
      'GetItem',
      'PutItem',
      'Query',
      'TransactWriteItems',
      'UpdateItem',
    ]);
    // A transaction is authorized item by item: which kinds does the store send?
    const kinds = new Set(
      [...store.matchAll(/\{"(Put|Update|Delete|ConditionCheck)",/g)].map((m) => m[1]),
    );
    assert.deepEqual([...kinds].sort(), ['Put', 'Update']);
    const needed = new Set<string>();
    for (const call of calls) {
      if (call === 'CreateTable') continue; // the function runs with create_tables=false
      if (call === 'TransactWriteItems') {
        for (const kind of kinds)
          needed.add(
            `dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
          );
      } else {
        needed.add(`dynamodb:${call}`);
      }
    }
    assert.deepEqual([...needed].sort(), [...STORE_DYNAMODB_ACTIONS].sort());
    // With create_tables=false, a missing table is an error, not a CreateTable.
    assert.match(store, /if \(!options_\.create_tables\) \{\s*throw StoreUnavailable/);
  });

  for (const [name, props] of [
    ['the default stack', {}],
    ['the stack with the REST API, CORS and the dashboard upload', 'full'],
  ] as const) {
    test(`no wildcard action and no "*" resource on DynamoDB statements: ${name}`, () => {
      const { resources } = props === 'full' ? full() : base;
      const statements = allStatements(resources);
      assert.ok(statements.length > 0);
      let dynamoStatements = 0;
      for (const { where, statement } of statements) {
        const actions = toArray<string>(statement.Action);
        assert.equal(statement.NotAction, undefined, `${where}: NotAction`);
        for (const action of actions) {
          assert.notEqual(action, '*', `${where}: Action "*"`);
          assert.ok(!/^dynamodb:.*\*/.test(action), `${where}: ${action}`);
          assert.notEqual(action, 'dynamodb:CreateTable', `${where}: CreateTable`);
        }
        if (!actions.some((action) => action.startsWith('dynamodb:'))) continue;
        ++dynamoStatements;
        const granted = toArray<any>(statement.Resource);
        assert.ok(granted.length > 0, `${where}: a resource`);
        for (const resource of granted) {
          assert.notEqual(resource, '*', `${where}: Resource "*"`);
          assert.ok(
            isTableOrIndexArn(resources, resource),
            `${where}: ${JSON.stringify(resource)}`,
          );
        }
      }
      assert.equal(dynamoStatements, 1);
    });
  }

  function isTableOrIndexArn(resources: Resources, resource: any): boolean {
    const isTable = (ref: any) =>
      ref?.['Fn::GetAtt']?.[1] === 'Arn' &&
      resources[ref['Fn::GetAtt'][0]]?.Type === 'AWS::DynamoDB::Table';
    if (isTable(resource)) return true;
    const join = resource?.['Fn::Join'];
    return (
      Array.isArray(join) &&
      join[0] === '' &&
      join[1].length === 2 &&
      isTable(join[1][0]) &&
      join[1][1] === '/index/*'
    );
  }
});

describe('API Gateway REST (optional)', () => {
  test('absent by default', () => {
    base.template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    base.template.resourceCountIs('AWS::ApiGateway::Stage', 0);
  });

  test('with restApi: a proxy to the function, the stage throttled', () => {
    const { template } = full();
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    const methods = template.findResources('AWS::ApiGateway::Method');
    assert.equal(Object.keys(methods).length, 2); // / and /{proxy+}
    for (const method of Object.values(methods)) {
      assert.equal(method.Properties.HttpMethod, 'ANY');
      assert.equal(method.Properties.Integration.Type, 'AWS_PROXY');
      assert.ok(
        JSON.stringify(method.Properties.Integration.Uri).includes(`"${fullFunctionId()}"`),
        'integrates the function',
      );
    }
    // No account-wide CloudWatch role, no console test-invoke permissions.
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    assert.ok(permissions.every((p) => !JSON.stringify(p).includes('test-invoke-stage')));
  });

  test('throttling follows the props', () => {
    const { template } = synth({ restApi: true, restThrottle: { rateLimit: 7, burstLimit: 9 } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 })],
    });
  });
});

// The full stack: REST API, CORS and a dashboard build to upload.
let fullStack: ReturnType<typeof synth> | undefined;
const webDist = path.join(scratch, 'web-dist');
fs.mkdirSync(webDist);
fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>cargomon</title>\n');
function full() {
  fullStack ??= synth({
    restApi: true,
    corsOrigins: ['https://dashboard.example.com'],
    webDistPath: webDist,
    dashboardConfig: { apiBase: '' },
    alarmEmail: 'ops@example.com',
  });
  return fullStack;
}
// The cargomon function (the dashboard upload brings a function of its own).
const fullFunctionId = () => {
  const { resources } = full();
  const ids = logicalIds(resources, 'AWS::Lambda::Function').filter(
    (id) => resources[id].Properties.Runtime === 'provided.al2023',
  );
  assert.equal(ids.length, 1);
  return ids[0];
};

describe('CloudFront and the dashboard bucket', () => {
  const distribution = () =>
    only(base.resources, 'AWS::CloudFront::Distribution').props.DistributionConfig;

  test('the bucket is private, encrypted and refuses plain HTTP', () => {
    const bucket = only(base.resources, 'AWS::S3::Bucket');
    assert.deepEqual(bucket.props.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(bucket.props.BucketEncryption, {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    assert.equal(bucket.props.WebsiteConfiguration, undefined);
    const policy = only(base.resources, 'AWS::S3::BucketPolicy').props.PolicyDocument.Statement;
    const deny = policy.find((s: any) => s.Effect === 'Deny');
    assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
    // The one Allow: CloudFront (OAC), reads only, for this distribution only.
    const allows = policy.filter((s: any) => s.Effect === 'Allow');
    assert.equal(allows.length, 1);
    assert.deepEqual(allows[0].Principal, { Service: 'cloudfront.amazonaws.com' });
    assert.equal(allows[0].Action, 's3:GetObject');
    const distributionId = only(base.resources, 'AWS::CloudFront::Distribution').id;
    assert.ok(
      JSON.stringify(allows[0].Condition.StringEquals['AWS:SourceArn']).includes(
        `{"Ref":"${distributionId}"}`,
      ),
    );
  });

  test('the default behavior serves the bucket through origin access control', () => {
    const config = distribution();
    const oac = only(base.resources, 'AWS::CloudFront::OriginAccessControl');
    assert.equal(oac.props.OriginAccessControlConfig.OriginAccessControlOriginType, 's3');
    assert.equal(oac.props.OriginAccessControlConfig.SigningBehavior, 'always');
    const s3Origin = config.Origins.find((o: any) => o.S3OriginConfig);
    assert.deepEqual(s3Origin.OriginAccessControlId, { 'Fn::GetAtt': [oac.id, 'Id'] });
    assert.equal(s3Origin.S3OriginConfig.OriginAccessIdentity, ''); // no legacy OAI
    assert.equal(config.DefaultCacheBehavior.TargetOriginId, s3Origin.Id);
    assert.equal(config.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.equal(config.DefaultRootObject, 'index.html');
    assert.equal(config.CustomErrorResponses, undefined); // would rewrite the API's 403/404
  });

  test('every API path goes to the function URL, uncached, with every viewer header but Host', () => {
    const config = distribution();
    const urlOrigin = config.Origins.find((o: any) => o.CustomOriginConfig);
    assert.equal(urlOrigin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
    assert.equal(urlOrigin.CustomOriginConfig.OriginReadTimeout, 60);
    const urlId = only(base.resources, 'AWS::Lambda::Url').id;
    assert.ok(JSON.stringify(urlOrigin.DomainName).includes(`"${urlId}"`), 'the function URL');
    assert.equal(urlOrigin.OriginAccessControlId, undefined); // auth NONE: see docs/aws.md
    assert.deepEqual(
      config.CacheBehaviors.map((b: any) => b.PathPattern),
      [...API_PATH_PATTERNS],
    );
    for (const behavior of config.CacheBehaviors) {
      assert.equal(behavior.TargetOriginId, urlOrigin.Id, behavior.PathPattern);
      assert.deepEqual(behavior.AllowedMethods.slice().sort(), [
        'DELETE',
        'GET',
        'HEAD',
        'OPTIONS',
        'PATCH',
        'POST',
        'PUT',
      ]);
      assert.equal(behavior.CachePolicyId, cloudfront_ids.CACHING_DISABLED, behavior.PathPattern);
      assert.equal(behavior.OriginRequestPolicyId, cloudfront_ids.ALL_VIEWER_EXCEPT_HOST_HEADER);
      assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
    }
  });

  test('the API path patterns cover every route of the router; the dashboard files stay on S3', () => {
    // Every route the server matches (src/api/route.cpp names each by its
    // pattern), but the dashboard's own files.
    const routes = [...source('src/api/route.cpp').matchAll(/return "(\/[^"]*)";/g)]
      .map((m) => m[1]!)
      .filter((pattern) => pattern !== '/{file}');
    assert.ok(routes.length >= 9, `routes found: ${routes}`);
    const matches = (pattern: string, p: string) =>
      pattern.endsWith('*') ? p.startsWith(pattern.slice(0, -1)) : p === pattern;
    for (const route of routes) {
      const p = route.replace(/\{[^}]+\}/g, 'x');
      assert.ok(
        API_PATH_PATTERNS.some((pattern) => matches(pattern, p)),
        `${p} reaches the API`,
      );
    }
    // The dashboard's own files stay on S3.
    for (const file of ['/', '/index.html', '/config.json', '/assets/index-abc.js']) {
      assert.ok(!API_PATH_PATTERNS.some((pattern) => matches(pattern, file)), `${file} is on S3`);
    }
  });

  test('with the REST API, the API paths go through it, and the stream stays on the URL', () => {
    const { resources } = full();
    const config = only(resources, 'AWS::CloudFront::Distribution').props.DistributionConfig;
    const restApiId = only(resources, 'AWS::ApiGateway::RestApi').id;
    const urlId = only(resources, 'AWS::Lambda::Url').id;
    const originOf = (behavior: any) =>
      config.Origins.find((o: any) => o.Id === behavior.TargetOriginId);
    for (const behavior of config.CacheBehaviors) {
      const domain = JSON.stringify(originOf(behavior).DomainName);
      const expected = behavior.PathPattern === '/eventos' ? urlId : restApiId;
      assert.ok(domain.includes(`"${expected}"`), `${behavior.PathPattern} -> ${expected}`);
    }
  });

  test('no upload without a dashboard build; with one, the files and config.json', () => {
    base.template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    const { template, stack } = full();
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0];
    assert.equal(deployment.Properties.SourceObjectKeys.length, 2); // web/dist + config.json
    assert.deepEqual(deployment.Properties.DistributionPaths, [
      '/index.html',
      '/docs.html',
      '/config.json',
    ]);
    assert.deepEqual(deployment.Properties.DestinationBucketName, {
      Ref: only(full().resources, 'AWS::S3::Bucket').id,
    });
    // config.json's content, as staged in the cloud assembly.
    const outdir = cdk.Stage.of(stack)!.synth().directory;
    const staged = fs
      .readdirSync(outdir)
      .map((entry) => path.join(outdir, entry, 'config.json'))
      .filter((file) => fs.existsSync(file));
    assert.equal(staged.length, 1);
    assert.deepEqual(JSON.parse(fs.readFileSync(staged[0], 'utf8')), { apiBase: '' });
  });
});

// The managed policies' ids (AWS's, stable).
const cloudfront_ids = {
  CACHING_DISABLED: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  ALL_VIEWER_EXCEPT_HOST_HEADER: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
};

describe('alarms', () => {
  const alarms = () => base.template.findResources('AWS::CloudWatch::Alarm');
  const byId = (prefix: string) => {
    const found = Object.entries(alarms()).filter(([id]) => id.startsWith(prefix));
    assert.equal(found.length, 1, `one alarm ${prefix}`);
    return found[0][1].Properties;
  };
  const dims = (metric: any) =>
    Object.fromEntries((metric.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));

  test('eleven alarms, each to the SNS topic, none alarming on missing data', () => {
    const all = Object.values(alarms());
    assert.equal(all.length, 11);
    for (const alarm of all) {
      assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: topicId }]);
      assert.equal(alarm.Properties.TreatMissingData, 'notBreaching');
    }
  });

  test('function errors and throttles above zero', () => {
    for (const [id, metricName] of [
      ['FunctionErrors', 'Errors'],
      ['FunctionThrottles', 'Throttles'],
    ]) {
      const alarm = byId(id);
      assert.equal(alarm.Namespace, 'AWS/Lambda');
      assert.equal(alarm.MetricName, metricName);
      assert.deepEqual(dims(alarm), { FunctionName: { Ref: functionId } });
      assert.equal(alarm.Statistic, 'Sum');
      assert.equal(alarm.Threshold, 0);
      assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
    }
  });

  test('function duration p99 above 10 s', () => {
    const alarm = byId('FunctionDurationP99');
    assert.equal(alarm.Namespace, 'AWS/Lambda');
    assert.equal(alarm.MetricName, 'Duration');
    assert.deepEqual(dims(alarm), { FunctionName: { Ref: functionId } });
    assert.equal(alarm.ExtendedStatistic, 'p99');
    assert.equal(alarm.Threshold, 10_000);
    assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
  });

  test("DynamoDB throttled requests and system errors per table, over the store's operations", () => {
    for (const [table, id] of [
      ['Orders', ordersId],
      ['Users', usersId],
    ]) {
      for (const metricName of ['ThrottledRequests', 'SystemErrors']) {
        const alarm = byId(`${table}Table${metricName}`);
        assert.equal(alarm.Threshold, 0);
        assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
        const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
        const operations = stats.map((m: any) => {
          assert.equal(m.MetricStat.Metric.Namespace, 'AWS/DynamoDB');
          assert.equal(m.MetricStat.Metric.MetricName, metricName);
          assert.equal(m.MetricStat.Stat, 'Sum');
          const d = dims(m.MetricStat.Metric);
          assert.deepEqual(d.TableName, { Ref: id });
          return d.Operation;
        });
        assert.deepEqual(operations.sort(), [...STORE_METRIC_OPERATIONS].sort());
        const [expression] = alarm.Metrics.filter((m: any) => m.ReturnData !== false);
        assert.equal(expression.Expression, stats.map((m: any) => `FILL(${m.Id}, 0)`).join(' + '));
      }
    }
  });

  test('orders answered 503 above zero (EMF)', () => {
    const alarm = byId('OrdersUnavailable');
    assert.equal(alarm.Namespace, EMF_NAMESPACE);
    assert.equal(alarm.MetricName, 'cargomon_orders_total');
    assert.deepEqual(dims(alarm), { outcome: 'unavailable' });
    assert.equal(alarm.Statistic, 'Sum');
    assert.equal(alarm.Threshold, 0);
  });

  test('rejected orders above 10 % of orders answered, from 20 orders on (EMF)', () => {
    const alarm = byId('OrdersRejectedRate');
    assert.equal(alarm.Threshold, 10);
    assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
    const byMetricId = Object.fromEntries(alarm.Metrics.map((m: any) => [m.Id, m]));
    const returned = alarm.Metrics.filter((m: any) => m.ReturnData !== false);
    assert.equal(returned.length, 1);
    assert.equal(returned[0].Expression, 'IF(total >= 20, 100 * FILL(rejected, 0) / total, 0)');
    assert.equal(
      byMetricId.total.Expression,
      'FILL(accepted, 0) + FILL(rejected, 0) + FILL(conflicting, 0) + FILL(unavailable, 0)',
    );
    for (const outcome of ['accepted', 'rejected', 'conflicting', 'unavailable']) {
      const metric = byMetricId[outcome].MetricStat;
      assert.equal(metric.Metric.Namespace, EMF_NAMESPACE);
      assert.equal(metric.Metric.MetricName, 'cargomon_orders_total');
      assert.deepEqual(dims(metric.Metric), { outcome });
      assert.equal(metric.Stat, 'Sum');
    }
  });

  test('auth failures above 50 in five minutes (EMF, no dimension)', () => {
    const alarm = byId('AuthFailures');
    assert.equal(alarm.Namespace, EMF_NAMESPACE);
    assert.equal(alarm.MetricName, 'cargomon_auth_failures_total');
    assert.equal(alarm.Dimensions, undefined);
    assert.equal(alarm.Period, 300);
    assert.equal(alarm.Threshold, 50);
  });

  test("the store's p99 for orders above 1 s (EMF)", () => {
    const alarm = byId('OrderStoreLatencyP99');
    assert.equal(alarm.Namespace, EMF_NAMESPACE);
    assert.equal(alarm.MetricName, 'cargomon_store_duration_seconds');
    assert.deepEqual(dims(alarm), { route: '/registrar_pedido_entregado' });
    assert.equal(alarm.ExtendedStatistic, 'p99');
    assert.equal(alarm.Threshold, 1);
  });

  test('the EMF names, dimensions and values the alarms use are the ones the program writes', () => {
    assert.match(source('src/lambda/emf.hpp'), /kMetricNamespace = "cargomon"/);
    const emf = source('src/lambda/emf.cpp');
    for (const name of [
      'cargomon_orders_total',
      'cargomon_auth_failures_total',
      'cargomon_store_duration_seconds',
    ]) {
      assert.ok(emf.includes(`metric("${name}"`), name);
    }
    assert.match(
      emf,
      /directive\(json::array\{"outcome"\}, json::array\{metric\("cargomon_orders_total"/,
    );
    assert.match(
      emf,
      /directive\(json::array\{\}, json::array\{metric\("cargomon_auth_failures_total"/,
    );
    for (const outcome of ['accepted', 'rejected', 'conflicting', 'unavailable']) {
      assert.ok(emf.includes(`return "${outcome}";`), outcome);
    }
    // The route dimension: the route's pattern from src/api/route.cpp, the
    // one the alarm's dimension value names.
    assert.match(emf, /return std::string\(api::route_pattern\(route\)\);/);
    assert.ok(source('src/api/route.cpp').includes('return "/registrar_pedido_entregado";'));
  });

  test('an email subscription only when an address is given', () => {
    base.template.resourceCountIs('AWS::SNS::Subscription', 0);
    full().template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: only(full().resources, 'AWS::SNS::Topic').id },
    });
  });
});

describe('outputs', () => {
  test('function URL, CloudFront domain, bucket, secrets', () => {
    const outputs = base.template.toJSON().Outputs;
    const value = (name: string) => outputs[name]?.Value;
    const urlId = only(base.resources, 'AWS::Lambda::Url').id;
    const distributionId = only(base.resources, 'AWS::CloudFront::Distribution').id;
    const bucketId = only(base.resources, 'AWS::S3::Bucket').id;
    const jwt = base.resources[functionId].Properties.Environment.Variables.CARGOMON_JWT_SECRET;
    assert.deepEqual(value('FunctionUrl'), { 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    assert.deepEqual(value('DistributionDomainName'), {
      'Fn::GetAtt': [distributionId, 'DomainName'],
    });
    assert.deepEqual(value('DashboardBucketName'), { Ref: bucketId });
    assert.deepEqual(value('JwtSecretArn'), jwt['Fn::Join'][1][1]);
    assert.ok(value('AdminPasswordSecretArn').Ref);
    assert.deepEqual(value('AlarmTopicArn'), { Ref: topicId });
    assert.equal(value('RestApiUrl'), undefined);
    assert.ok(full().template.toJSON().Outputs.RestApiUrl);
  });
});

describe('the app (bin/)', () => {
  const bin = path.join(PACKAGE_ROOT, 'dist', 'bin', 'cargomon.js');
  // What the synth reported: errors and warnings the constructs attached to
  // the stacks, as the cloud assembly's manifest records them.
  const synthProblems = (outdir: string): string[] => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    return Object.values(manifest.artifacts ?? {}).flatMap((artifact: any) =>
      Object.entries(artifact.metadata ?? {}).flatMap(([where, entries]: [string, any]) =>
        entries
          .filter((e: any) => e.type === 'aws:cdk:error' || e.type === 'aws:cdk:warning')
          .map((e: any) => `${where}: ${e.type}: ${e.data}`),
      ),
    );
  };
  const run = (context: Record<string, string>) => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk-out-'));
    const result = spawnSync(process.execPath, [bin], {
      cwd: PACKAGE_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, ...context }),
      },
      encoding: 'utf8',
    });
    return { result, outdir };
  };

  // A real synth, as `cdk synth` runs it: no construct may report an error
  // or a warning.
  test('synthesizes with the default props (only the package path given), no warnings', () => {
    const { result, outdir } = run({ zip: codeDir });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(synthProblems(outdir), []);
    const template = JSON.parse(
      fs.readFileSync(path.join(outdir, 'Cargomon.template.json'), 'utf8'),
    );
    const resources: Resources = template.Resources;
    const functions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'provided.al2023',
    );
    assert.equal(functions.length, 1);
    assert.equal(
      functions[0].Properties.Environment.Variables.CARGOMON_STORE,
      'dynamodb://cargomon?create_tables=false',
    );
    assert.equal(logicalIds(resources, 'AWS::DynamoDB::Table').length, 2);
    assert.equal(logicalIds(resources, 'AWS::CloudFront::Distribution').length, 1);
    assert.equal(logicalIds(resources, 'AWS::ApiGateway::RestApi').length, 0);
  });

  test('the stack with every option synthesizes without warnings', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'cdk-out-'));
    const app = new cdk.App({ context: CDK_JSON_CONTEXT, outdir });
    new CargomonStack(app, 'Full', {
      codePath: codeDir,
      restApi: true,
      corsOrigins: ['https://dashboard.example.com'],
      webDistPath: webDist,
      alarmEmail: 'ops@example.com',
      reservedConcurrency: 10,
    });
    app.synth();
    assert.deepEqual(synthProblems(outdir), []);
  });

  test('context values reach the stack', () => {
    const app = new cdk.App({
      context: {
        ...CDK_JSON_CONTEXT,
        zip: codeDir,
        webDist: 'none',
        stackName: 'CargomonStaging',
        prefix: 'staging',
        restApi: 'true',
        restRate: '25',
        restBurst: '50',
        corsOrigins: 'https://a.example, https://b.example',
        alarmEmail: 'ops@example.com',
        reservedConcurrency: '10',
        memory: '512',
        streaming: 'false',
      },
    });
    const { stack } = buildApp(app);
    assert.equal(stack.stackName, 'CargomonStaging');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'staging-orders' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      ReservedConcurrentExecutions: 10,
      Environment: {
        Variables: Match.objectLike({
          CARGOMON_STORE: 'dynamodb://staging?create_tables=false',
          CARGOMON_CORS_ORIGINS: 'https://a.example,https://b.example',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'BUFFERED' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 })],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops@example.com' });
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });

  test('a missing package or a bad context value fails, saying why', () => {
    const missing = run({ zip: path.join(scratch, 'missing.zip') });
    assert.notEqual(missing.result.status, 0);
    assert.match(missing.result.stderr, /scripts\/package-lambda\.sh/);
    const bad = run({ zip: codeDir, restApi: 'yes' });
    assert.notEqual(bad.result.status, 0);
    assert.match(bad.result.stderr, /restApi: true or false/);
  });
});
