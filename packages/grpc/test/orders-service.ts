import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
} from '@grpc/grpc-js';
import type { AuthenticatedCall, GuardedCall } from '../src/index.js';
import type { Message } from './harness.js';

/** What a method saw of its caller. */
function whoami(call: GuardedCall): Message {
  const auth = call.auth;
  return {
    subject: auth?.subject ?? null,
    caller: auth?.caller ?? null,
    kind: auth?.kind ?? null,
    issuer: auth?.issuer ?? null,
  };
}

/** An implementation of `orders.Orders` that answers with the caller it saw, for every kind of method. */
export function ordersImplementation() {
  return {
    CreateOrder(
      call: AuthenticatedCall<ServerUnaryCall<Message, Message>>,
      callback: sendUnaryData<Message>,
    ) {
      callback(null, { ...whoami(call), item: call.request.item ?? null });
    },
    ListOrders(call: AuthenticatedCall<ServerWritableStream<Message, Message>>) {
      call.write(whoami(call));
      call.write({ order: 2 });
      call.end();
    },
    UploadOrders(
      call: AuthenticatedCall<ServerReadableStream<Message, Message>>,
      callback: sendUnaryData<Message>,
    ) {
      const items: Message[] = [];
      call.on('data', (message: Message) => items.push(message));
      call.on('end', () => callback(null, { ...whoami(call), count: items.length }));
    },
    SyncOrders(call: AuthenticatedCall<ServerDuplexStream<Message, Message>>) {
      call.write(whoami(call));
      call.on('data', (message: Message) => call.write({ echo: message }));
      call.on('end', () => call.end());
    },
  };
}
