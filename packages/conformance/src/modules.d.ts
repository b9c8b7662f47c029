// The npm aliases of the previous majors, typed with the current majors' types (same API here).
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
