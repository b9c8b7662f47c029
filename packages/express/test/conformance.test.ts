/**
 * The conformance suite of `@org/auth-conformance` (every scenario, the attack corpus, the bounded
 * fuzzing and the key-server fault) against this adapter on both supported Express majors. The
 * app the suite expects is built in `express-target.ts`.
 */
import { defineConformanceSuite } from '@org/auth-conformance';
import express from 'express';
import express4 from 'express4';
import { expressTarget } from './express-target.js';

defineConformanceSuite(expressTarget('express 5', express));
defineConformanceSuite(expressTarget('express 4', express4));
