#!/usr/bin/env node
// protoc-gen-php-lite: PHP classes for protobuf messages, enums and unary gRPC clients, for
// PHP without the protobuf extension (mailcow's php-fpm image has neither grpc nor protobuf;
// docs/architecture.md §6). The generated classes hold plain typed properties and a descriptor
// table; the wire format is done by the hand-written runtime in php-bridge/src/Protobuf/.
//
// Run by `buf generate` (buf.gen.yaml, strategy: all). Options (opt:):
//   namespace=<PHP namespace prefix>   default MailcowScim\Gen
//   runtime=<PHP namespace>            default MailcowScim\Protobuf (Message, FieldType, EnumNames)
//   grpc=<PHP namespace>               default MailcowScim\Grpc (UnaryChannel interface)
//
// Output, one class per file (PSR-4 under the prefix): <Package\In\Pascal>/<Name>.php; nested
// types are flattened as Outer_Inner. Files of google/protobuf/* that generated messages use
// are generated too, as buf does not pass them to be generated.
import { create, createFileRegistry, ScalarType } from '@bufbuild/protobuf';
import {
  CodeGeneratorResponse_Feature,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { getComments, runNodeJs } from '@bufbuild/protoplugin';

const PLUGIN = 'protoc-gen-php-lite';
const VERSION = 'v1';

// Names PHP refuses for classes (reserved and soft-reserved words, case-insensitive).
const RESERVED_CLASS = new Set(
  `abstract and array as bool break callable case catch class clone const continue declare default do echo else elseif
  empty enddeclare endfor endforeach endif endswitch endwhile enum eval exit extends false final finally float fn for
  foreach function global goto if implements include include_once instanceof insteadof int interface isset iterable list
  match mixed namespace never new null numeric object or parent print private protected public readonly require
  require_once resource return self static string switch throw trait true try unset use var void while xor yield`
    .split(/\s+/)
    .filter(Boolean),
);

// google.protobuf.FieldDescriptorProto.Type numbers, as php-bridge/src/Protobuf/FieldType.php names them.
const SCALAR_CONST = {
  [ScalarType.DOUBLE]: 'DOUBLE',
  [ScalarType.FLOAT]: 'FLOAT',
  [ScalarType.INT64]: 'INT64',
  [ScalarType.UINT64]: 'UINT64',
  [ScalarType.INT32]: 'INT32',
  [ScalarType.FIXED64]: 'FIXED64',
  [ScalarType.FIXED32]: 'FIXED32',
  [ScalarType.BOOL]: 'BOOL',
  [ScalarType.STRING]: 'STRING',
  [ScalarType.BYTES]: 'BYTES',
  [ScalarType.UINT32]: 'UINT32',
  [ScalarType.SFIXED32]: 'SFIXED32',
  [ScalarType.SFIXED64]: 'SFIXED64',
  [ScalarType.SINT32]: 'SINT32',
  [ScalarType.SINT64]: 'SINT64',
};

function phpScalarType(t) {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return 'float';
    case ScalarType.BOOL:
      return 'bool';
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return 'string';
    default:
      return 'int';
  }
}

function phpScalarDefault(t) {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return '0.0';
    case ScalarType.BOOL:
      return 'false';
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return "''";
    default:
      return '0';
  }
}

function parseOptions(parameter) {
  const opts = { namespace: 'MailcowScim\\Gen', runtime: 'MailcowScim\\Protobuf', grpc: 'MailcowScim\\Grpc' };
  for (const part of parameter.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, ...rest] = part.split('=');
    const value = rest.join('=');
    if (!(key in opts) || !/^[A-Za-z_][A-Za-z0-9_]*(\\[A-Za-z_][A-Za-z0-9_]*)*$/.test(value)) {
      throw new Error(`unknown or malformed option "${part}" (known: namespace=, runtime=, grpc=)`);
    }
    opts[key] = value;
  }
  return opts;
}

const pascal = (s) =>
  s
    .split(/[_.-]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

function safeClass(name) {
  return RESERVED_CLASS.has(name.toLowerCase()) ? `PB${name}` : name;
}

/** PHP namespace of a proto package, under the prefix. */
function namespaceOf(file, opts) {
  const pkg = file.proto.package;
  return pkg ? `${opts.namespace}\\${pkg.split('.').map((p) => safeClass(pascal(p))).join('\\')}` : opts.namespace;
}

/** Class name of a message or enum: nested types flattened with "_" (Outer_Inner). */
function localClassOf(desc) {
  const pkg = desc.file.proto.package;
  const rel = pkg ? desc.typeName.slice(pkg.length + 1) : desc.typeName;
  return safeClass(rel.split('.').join('_'));
}

/** A class reference from code in namespace `here`: the bare name within the same namespace. */
function fqcn(desc, opts) {
  const ns = namespaceOf(desc.file, opts);
  return ns === opts.here ? localClassOf(desc) : `\\${ns}\\${localClassOf(desc)}`;
}

function docBlock(lines, indent) {
  const clean = lines
    .flatMap((l) => l.split('\n'))
    .map((l) => l.replace(/\*\//g, '* /').replace(/\s+$/, ''));
  while (clean.length && clean[clean.length - 1] === '') clean.pop();
  if (clean.length === 0) return '';
  return `${indent}/**\n${clean.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`;
}

function commentLines(desc) {
  const lines = (getComments(desc).leading ?? '').split('\n').map((l) => l.replace(/^ /, '').replace(/\s+$/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** lowerCamelCase of a field name, as protoc derives json_name (PHP property names). */
const camel = (name) => name.replace(/_+([a-zA-Z0-9])/g, (_m, c) => c.toUpperCase()).replace(/_+$/, '');

const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function header(file, ns) {
  return `<?php\n// @generated by ${PLUGIN} ${VERSION} from ${file.name}.proto. DO NOT EDIT.\n\ndeclare(strict_types=1);\n\nnamespace ${ns};\n\n`;
}

/** One descriptor entry (php-bridge/src/Protobuf/Message.php documents the keys). */
function fieldSpec(f, opts) {
  const parts = [`'name' => ${q(camel(f.name))}`, `'json' => ${q(f.jsonName)}`, `'proto' => ${q(f.name)}`];
  const typeOf = (kind, scalar, en, msg) => {
    if (kind === 'scalar') return `'type' => FieldType::${SCALAR_CONST[scalar]}`;
    if (kind === 'enum') return `'type' => FieldType::ENUM, 'class' => ${fqcn(en, opts)}::class`;
    return `'type' => FieldType::MESSAGE, 'class' => ${fqcn(msg, opts)}::class`;
  };
  switch (f.fieldKind) {
    case 'scalar':
    case 'enum':
    case 'message':
      parts.push(typeOf(f.fieldKind, f.scalar, f.enum, f.message));
      if (f.fieldKind === 'message' && f.delimitedEncoding) throw new Error(`${f.parent.typeName}.${f.name}: group encoding is not supported`);
      // Explicit presence (proto3 `optional`, proto2 optional, oneof members): null means unset.
      if (f.fieldKind !== 'message' && f.presence !== 2 /* IMPLICIT */) parts.push(`'optional' => true`);
      if (f.oneof) parts.push(`'oneof' => ${q(f.oneof.name)}`);
      break;
    case 'list':
      parts.push(`'repeated' => true`, typeOf(f.listKind, f.scalar, f.enum, f.message));
      if (f.listKind === 'message' && f.delimitedEncoding) throw new Error(`${f.parent.typeName}.${f.name}: group encoding is not supported`);
      if (f.packed) parts.push(`'packed' => true`);
      break;
    case 'map':
      parts.push(`'map' => true`, `'key' => FieldType::${SCALAR_CONST[f.mapKey]}`, typeOf(f.mapKind, f.scalar, f.enum, f.message));
      break;
  }
  return `${f.number} => [${parts.join(', ')}]`;
}

function propertyOf(f, opts) {
  const scalarPhp = (kind, scalar, msg) => (kind === 'scalar' ? phpScalarType(scalar) : kind === 'enum' ? 'int' : fqcn(msg, opts));
  const doc = commentLines(f);
  let decl;
  switch (f.fieldKind) {
    case 'scalar':
    case 'enum': {
      const t = scalarPhp(f.fieldKind, f.scalar);
      if (f.fieldKind === 'enum') doc.push(`@var ${f.presence !== 2 ? '?' : ''}int one of ${fqcn(f.enum, opts)}::* (unknown values are kept as numbers)`);
      decl = f.presence !== 2 ? `public ?${t} $${camel(f.name)} = null;` : `public ${t} $${camel(f.name)} = ${f.fieldKind === 'enum' ? '0' : phpScalarDefault(f.scalar)};`;
      break;
    }
    case 'message':
      decl = `public ?${fqcn(f.message, opts)} $${camel(f.name)} = null;`;
      break;
    case 'list':
      doc.push(`@var list<${f.listKind === 'message' ? fqcn(f.message, opts) : scalarPhp(f.listKind, f.scalar)}>`);
      decl = `public array $${camel(f.name)} = [];`;
      break;
    case 'map':
      doc.push(`@var array<${phpScalarType(f.mapKey) === 'bool' ? 'int' : phpScalarType(f.mapKey)}, ${f.mapKind === 'message' ? fqcn(f.message, opts) : scalarPhp(f.mapKind, f.scalar)}>`);
      decl = `public array $${camel(f.name)} = [];`;
      break;
  }
  return `${docBlock(doc, '    ')}    ${decl}\n`;
}

function messageFile(m, baseOpts) {
  const ns = namespaceOf(m.file, baseOpts);
  const opts = { ...baseOpts, here: ns };
  const cls = localClassOf(m);
  const doc = [...commentLines(m), ...(commentLines(m).length ? [''] : []), `Protobuf message ${m.typeName}.`];
  let out = header(m.file, ns);
  out += `use ${opts.runtime}\\FieldType;\nuse ${opts.runtime}\\Message;\n\n`;
  out += docBlock(doc, '');
  out += `final class ${cls} extends Message\n{\n`;
  out += m.fields.map((f) => propertyOf(f, opts)).join('\n');
  if (m.fields.length) out += '\n';
  out += `    public static function descriptor(): array\n    {\n        return [\n            'name' => ${q(m.typeName)},\n            'fields' => [\n`;
  out += m.fields.map((f) => `                ${fieldSpec(f, opts)},\n`).join('');
  out += `            ],\n        ];\n    }\n}\n`;
  return { name: `${ns}\\${cls}`, content: out };
}

function enumFile(e, opts) {
  const ns = namespaceOf(e.file, opts);
  const cls = localClassOf(e);
  const doc = [...commentLines(e), ...(commentLines(e).length ? [''] : []), `Protobuf enum ${e.typeName}. Open: values not listed here may arrive and are kept as numbers.`];
  let out = header(e.file, ns);
  out += `use ${opts.runtime}\\EnumNames;\n\n`;
  out += docBlock(doc, '');
  out += `final class ${cls}\n{\n    use EnumNames;\n\n`;
  for (const v of e.values) {
    const name = v.name.toLowerCase() === 'class' ? `PB${v.name}` : v.name;
    out += docBlock(commentLines(v), '    ');
    out += `    public const ${name} = ${v.number};\n`;
  }
  out += `\n    /** @var array<int, string> */\n    private const NAMES = [\n`;
  const seen = new Set();
  for (const v of e.values) {
    if (seen.has(v.number)) continue; // allow_alias: the first name wins
    seen.add(v.number);
    out += `        ${v.number} => ${q(v.name)},\n`;
  }
  out += `    ];\n}\n`;
  return { name: `${ns}\\${cls}`, content: out };
}

function serviceFile(s, baseOpts) {
  const ns = namespaceOf(s.file, baseOpts);
  const opts = { ...baseOpts, here: ns };
  const cls = safeClass(`${s.name}Client`);
  const doc = [...commentLines(s), ...(commentLines(s).length ? [''] : []), `Unary client for ${s.typeName}; streaming methods are not generated.`];
  let out = header(s.file, ns);
  out += `use ${opts.grpc}\\UnaryChannel;\n\n`;
  out += docBlock(doc, '');
  out += `final class ${cls}\n{\n    public const SERVICE = ${q(s.typeName)};\n\n`;
  out += `    public function __construct(private readonly UnaryChannel $channel)\n    {\n    }\n`;
  for (const m of s.methods) {
    if (m.methodKind !== 'unary') {
      out += `\n    // ${m.name}: ${m.methodKind} RPC, not generated (the bridge makes unary calls only).\n`;
      continue;
    }
    const input = fqcn(m.input, opts);
    const output = fqcn(m.output, opts);
    const mdoc = [...commentLines(m), ...(commentLines(m).length ? [''] : []), '@param int|null $deadlineMs the call deadline; null uses the channel default', `@throws \\${opts.grpc}\\GrpcException`];
    out += `\n${docBlock(mdoc, '    ')}`;
    const method = m.name[0].toLowerCase() + m.name.slice(1);
    out += `    public function ${method}(${input} $request, ?int $deadlineMs = null): ${output}\n    {\n`;
    out += `        $response = $this->channel->unary(${q(`/${s.typeName}/${m.name}`)}, $request, ${output}::class, $deadlineMs);\n`;
    out += `        \\assert($response instanceof ${output});\n\n        return $response;\n    }\n`;
  }
  out += `}\n`;
  return { name: `${ns}\\${cls}`, content: out };
}

function collectTypes(container, out) {
  for (const m of container.messages ?? container.nestedMessages ?? []) {
    // Map entry messages are an encoding detail: maps are PHP arrays.
    if (m.proto.options?.mapEntry) continue;
    out.messages.push(m);
    collectTypes({ nestedMessages: m.nestedMessages, nestedEnums: m.nestedEnums }, out);
  }
  for (const e of container.enums ?? container.nestedEnums ?? []) out.enums.push(e);
}

/** Files to generate, plus google/protobuf files whose types they use (buf passes those as imports only). */
function filesToEmit(registry, names) {
  const files = names.map((n) => registry.getFile(n)).filter(Boolean);
  const seen = new Set(files.map((f) => f.name));
  const queue = [...files];
  while (queue.length) {
    const f = queue.shift();
    const types = { messages: [], enums: [] };
    collectTypes(f, types);
    const used = [
      ...types.messages.flatMap((m) => m.fields.flatMap((x) => [x.message?.file, x.enum?.file])),
      ...f.services.flatMap((s) => s.methods.flatMap((m) => [m.input.file, m.output.file])),
    ].filter(Boolean);
    for (const dep of used) {
      if (!seen.has(dep.name) && dep.name.startsWith('google/protobuf/')) {
        seen.add(dep.name);
        files.push(dep);
        queue.push(dep);
      }
    }
  }
  return files;
}

function generate(request) {
  const opts = parseOptions(request.parameter ?? '');
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile }));
  const generated = new Map();
  const add = ({ name, content }) => {
    const path = `${name.slice(opts.namespace.length + 1).split('\\').join('/')}.php`;
    if (generated.has(path)) throw new Error(`two protobuf types map to the same PHP class ${name}`);
    generated.set(path, content);
  };
  for (const file of filesToEmit(registry, request.fileToGenerate)) {
    if (!namespaceOf(file, opts).startsWith(opts.namespace)) throw new Error('namespace prefix mismatch');
    const types = { messages: [], enums: [] };
    collectTypes(file, types);
    for (const m of types.messages) add(messageFile(m, opts));
    for (const e of types.enums) add(enumFile(e, opts));
    for (const s of file.services) add(serviceFile(s, opts));
  }
  return create(CodeGeneratorResponseSchema, {
    supportedFeatures: BigInt(CodeGeneratorResponse_Feature.PROTO3_OPTIONAL),
    file: [...generated].sort(([a], [b]) => a.localeCompare(b)).map(([name, content]) => ({ name, content })),
  });
}

runNodeJs({ name: PLUGIN, version: VERSION, run: generate });
