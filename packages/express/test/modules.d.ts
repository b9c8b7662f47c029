// The npm alias of Express 4, typed with Express 5's types (the API used here is the same).
declare module 'express4' {
  import express from 'express';
  export default express;
}
