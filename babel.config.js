/**
 * Only used by jest, to turn ESM-only dependencies (NestJS 12) into CommonJS for the test
 * runtime. ESM modules that build their own `require` with createRequire(import.meta.url)
 * get the CommonJS one instead.
 */
function dropCreateRequire({ types: t }) {
  return {
    visitor: {
      VariableDeclarator(path) {
        const { id, init } = path.node;
        if (
          t.isIdentifier(id, { name: 'require' }) &&
          t.isCallExpression(init) &&
          t.isIdentifier(init.callee, { name: 'createRequire' })
        ) {
          path.remove();
        }
      },
    },
  };
}

module.exports = {
  plugins: [
    dropCreateRequire,
    'babel-plugin-transform-import-meta',
    '@babel/plugin-transform-dynamic-import',
    '@babel/plugin-transform-modules-commonjs',
  ],
};
