/**
 * A small CNN for MNIST-like images (default 1×28×28, 10 classes):
 *   [conv{i} (k×k, 'same' padding ⌊k/2⌋) → act{i} → pool{i} (2×2 max)] for each entry of channels,
 *   then flatten → optional hidden dense layers → dense (logits).
 * Names: 'conv0', 'act0', 'pool0', 'conv1', …, 'flatten', 'dense0', 'dact0', …, the last
 * dense layer outputs `classes`. Params follow sequential's array layout (one entry per layer).
 * Defaults: channels [16, 32], kernel 3 → 28 → 14 → 7, dense 32·7·7 → 10.
 */
import type { FloatDType } from '../tensor/dtype.ts';
import type { Layer } from './layer.ts';
import { conv2d } from './conv2d.ts';
import { linear } from './linear.ts';
import { activation, flatten, type ActivationName } from './activations.ts';
import { maxPool2d } from './pool.ts';
import { sequential, type SequentialLayer } from './sequential.ts';
import type { Initializer } from './init.ts';

export interface CnnOptions {
  name?: string;
  inChannels?: number;
  /** Input height and width (a number for square images). */
  inputSize?: number | readonly [number, number];
  /** Output channels of each conv block. */
  channels?: readonly number[];
  kernel?: number;
  /** Widths of dense layers between the conv stack and the output. */
  hidden?: readonly number[];
  classes?: number;
  activation?: ActivationName;
  init?: Initializer;
  dtype?: FloatDType;
}

export function cnn(opts: CnnOptions = {}): SequentialLayer {
  const name = opts.name ?? 'cnn';
  const channels = opts.channels ?? [16, 32];
  const k = opts.kernel ?? 3;
  const act = opts.activation ?? 'relu';
  const classes = opts.classes ?? 10;
  let [h, w] = typeof opts.inputSize === 'object' ? opts.inputSize : [opts.inputSize ?? 28, opts.inputSize ?? 28];
  let c = opts.inChannels ?? 1;
  if (channels.length === 0) throw new Error(`cnn '${name}': channels must list at least one conv block`);
  const layers: Layer<any>[] = [];
  const pad = Math.floor(k / 2);
  channels.forEach((out, i) => {
    layers.push(conv2d({ name: `conv${i}`, inChannels: c, outChannels: out, kernel: k, padding: pad, init: opts.init, dtype: opts.dtype }));
    layers.push(activation(act, { name: `act${i}` }));
    layers.push(maxPool2d({ name: `pool${i}`, kernel: 2 }));
    h = Math.floor((h + 2 * pad - k + 1) / 2);
    w = Math.floor((w + 2 * pad - k + 1) / 2);
    if (!(h >= 1 && w >= 1))
      throw new Error(
        `cnn '${name}': input ${JSON.stringify(opts.inputSize ?? 28)} is too small for ${channels.length} conv/pool blocks (block ${i} leaves ${h}×${w})`,
      );
    c = out;
  });
  layers.push(flatten({ name: 'flatten' }));
  const widths = [c * h * w, ...(opts.hidden ?? []), classes];
  for (let i = 0; i + 1 < widths.length; i++) {
    layers.push(linear({ name: `dense${i}`, in: widths[i]!, out: widths[i + 1]!, init: opts.init, dtype: opts.dtype }));
    if (i + 2 < widths.length) layers.push(activation(act, { name: `dact${i}` }));
  }
  return sequential(name, layers);
}
