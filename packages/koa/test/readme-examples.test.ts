import { defineReadmeExampleTests, serve } from '@org/auth-conformance/helpers';
import { authOptions, createApp } from '../examples/readme-example.js';
import { createSignedApp } from '../examples/signed-requests.js';
import { serviceAuth } from '../src/index.js';

defineReadmeExampleTests({
  testUrl: import.meta.url,
  readmeExample: {
    acceptProductionOptions: () => serviceAuth(authOptions),
    serve: (options) => serve(createApp(options).callback()),
  },
  signedRequestsExample: { serve: (secret) => serve(createSignedApp(secret).callback()) },
});
