#!/usr/bin/env node
// `cdk synth` / `cdk deploy` run this (cdk.json). Offline, synth needs only
// the package zip (or -c zip=PATH); nothing here calls AWS.

import { buildApp } from '../lib/app';

buildApp().app.synth();
