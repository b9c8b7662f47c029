/**
 * The conformance suite of `@org/auth-conformance` (every scenario, the attack corpus, the bounded
 * fuzzing and the key-server fault) against this adapter on both supported Koa majors, with
 * @koa/router. The app the suite expects is built in `koa-target.ts`.
 */
import { defineConformanceSuite } from '@org/auth-conformance';
import Koa from 'koa';
import Koa2 from 'koa2';
import { koaTarget } from './koa-target.js';

defineConformanceSuite(koaTarget('koa 3', Koa));
defineConformanceSuite(koaTarget('koa 2', Koa2));
