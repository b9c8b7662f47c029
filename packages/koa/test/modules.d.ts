// The npm alias of Koa 2, typed with Koa 3's types (the API used here is the same).
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
