/**
 * Which PHP bridge version talks to the sidecar. The bridge (php-bridge/src/Grpc/CurlChannel.php)
 * sends its version as metadata on every call; a server interceptor records the last one, so
 * the metrics and GetStatus know it from the first SCIM login on, not only once an admin opens
 * the SCIM page. GetStatus from a bridge answers with that caller's own version (bridgeVersionOf),
 * never the last one recorded, which another bridge may have changed in the meantime. Other
 * clients (doctor, the CLI, health probes) are not bridges and are ignored.
 */
import { ServerInterceptingCall, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';

const BRIDGE_VERSION_HEADER = 'mailcow-scim-bridge-version';
/** The bridge's user agent (CurlChannel::USER_AGENT): mailcow-scim-php-bridge/<protocol>. */
const BRIDGE_USER_AGENT = /^mailcow-scim-php-bridge\//;
/** A version as install writes it; anything else (or nothing) counts as no version. */
const VERSION = /^[0-9A-Za-z.+~-]{1,64}$/;

/**
 * The version one call's metadata carries: undefined when the caller is not the bridge, '' for
 * a bridge without a (valid) version.
 */
export function bridgeVersionOf(metadata: Metadata): string | undefined {
  const agent = String(metadata.get('user-agent')[0] ?? '');
  if (!BRIDGE_USER_AGENT.test(agent)) return undefined;
  const value = String(metadata.get(BRIDGE_VERSION_HEADER)[0] ?? '');
  return VERSION.test(value) ? value : '';
}

export class BridgeVersions {
  private seen?: string;

  /** @param onChange called when a bridge call carries another version than the last one */
  constructor(private readonly onChange?: (version: string) => void) {}

  /** The last bridge version seen: undefined before any bridge call, '' for a bridge without one. */
  last(): string | undefined {
    return this.seen;
  }

  /** Records one call's metadata (ignored unless it comes from the bridge). */
  observe(metadata: Metadata): void {
    const version = bridgeVersionOf(metadata);
    if (version === undefined || version === this.seen) return;
    this.seen = version;
    this.onChange?.(version);
  }

  interceptor(): ServerInterceptor {
    return (_method, call) =>
      new ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (metadata, forward) => {
              this.observe(metadata);
              forward(metadata);
            },
          }),
      });
  }
}
