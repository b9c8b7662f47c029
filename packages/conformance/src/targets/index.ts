import express from 'express';
import express4 from 'express4';
import Koa from 'koa';
import Koa2 from 'koa2';
import type { Target } from '../app-spec.js';
import { expressTarget } from './express.js';
import { fastifyTarget } from './fastify.js';
import { koaTarget } from './koa.js';

/** Every framework the suite runs against; a new adapter adds one file and one line here. */
export const targets: readonly Target[] = [
  expressTarget('express 5', express),
  expressTarget('express 4', express4),
  koaTarget('koa 3', Koa),
  koaTarget('koa 2', Koa2),
  fastifyTarget('fastify 5'),
];
