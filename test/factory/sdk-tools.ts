// One read_file tool in each SDK's own shape, for tests that drive the model endpoint through the
// official SDKs.
export const TOOLS_ANTHROPIC = [
  { name: 'read_file', description: 'Read a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } },
];
export const TOOLS_CHAT = [
  { type: 'function' as const, function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } },
];
export const TOOLS_RESPONSES = [
  { type: 'function' as const, name: 'read_file', description: 'Read a file', strict: false, parameters: { type: 'object', properties: { path: { type: 'string' } } } },
];
