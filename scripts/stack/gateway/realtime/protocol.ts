// Phoenix channel frames. vsn=1.0.0 sends JSON objects {join_ref, ref, topic, event, payload};
// vsn=2.0.0 (realtime-js's default since 2.91) sends JSON arrays [join_ref, ref, topic, event, payload]
// and, for broadcasts from the client, binary "user broadcast push" frames (kind 3).

export type Vsn = "1.0.0" | "2.0.0";
export const VSNS: readonly Vsn[] = ["1.0.0", "2.0.0"];

export interface Frame {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

export class FrameError extends Error {}

const asRef = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function decodeText(vsn: Vsn, text: string): Frame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError("frame is not JSON");
  }
  if (Array.isArray(raw)) {
    if (raw.length !== 5 || typeof raw[2] !== "string" || typeof raw[3] !== "string") {
      throw new FrameError("expected [join_ref, ref, topic, event, payload]");
    }
    return { join_ref: asRef(raw[0]), ref: asRef(raw[1]), topic: raw[2], event: raw[3], payload: raw[4] ?? {} };
  }
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    if (typeof o.topic !== "string" || typeof o.event !== "string") {
      throw new FrameError("expected {topic, event, payload, ref}");
    }
    return { join_ref: asRef(o.join_ref), ref: asRef(o.ref), topic: o.topic, event: o.event, payload: o.payload ?? {} };
  }
  throw new FrameError(`frame must be a JSON ${vsn === "2.0.0" ? "array" : "object"}`);
}

/**
 * The header of a binary frame realtime-js sends for channel.send({type: "broadcast"}) with vsn 2.0.0:
 * kind(3), join_ref/ref/topic/event/metadata sizes, encoding, then the fields. Only what a reply needs.
 */
export function decodeBinary(data: ArrayBuffer): Frame {
  const view = new DataView(data);
  if (data.byteLength < 7 || view.getUint8(0) !== 3) throw new FrameError("unsupported binary frame");
  const sizes = [1, 2, 3, 4].map((i) => view.getUint8(i));
  const decoder = new TextDecoder();
  let offset = 7;
  const fields = sizes.map((size) => {
    const value = decoder.decode(data.slice(offset, offset + size));
    offset += size;
    return value;
  });
  const [joinRef, ref, topic, event] = fields;
  return {
    join_ref: joinRef || null,
    ref: ref || null,
    topic,
    event: "broadcast",
    payload: { type: "broadcast", event },
  };
}

export function encode(vsn: Vsn, frame: Frame): string {
  if (vsn === "2.0.0") return JSON.stringify([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload]);
  return JSON.stringify({
    topic: frame.topic,
    event: frame.event,
    payload: frame.payload,
    ref: frame.ref,
    join_ref: frame.join_ref,
  });
}
