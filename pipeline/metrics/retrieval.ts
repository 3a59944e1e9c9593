/**
 * Recall@1 of audio-text retrieval, as X-ARES `clap_metrics` computes it with five captions per
 * clip stored consecutively: cosine similarity of L2-normalised embeddings;
 * - audio to text: a clip counts when one of its captions is the best match among all captions;
 * - text to audio: a caption counts when its clip is the best match among all clips;
 * the score is the mean of the two. Ties rank the lower index first, like torch.argsort.
 */

function normalisedRows(data: Float32Array, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      norm += (data[r * dim + d] as number) ** 2;
    }
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dim; d++) {
      out[r * dim + d] = (data[r * dim + d] as number) * scale;
    }
  }
  return out;
}

/** `audio` [clips, dim] and `text` [clips * captionsPerClip, dim], caption j belonging to clip floor(j / captionsPerClip). */
export function recallAtOne(
  audio: Float32Array,
  text: Float32Array,
  dim: number,
  captionsPerClip: number,
): { audioToText: number; textToAudio: number; score: number } {
  const clips = audio.length / dim;
  const captions = text.length / dim;
  if (!Number.isInteger(clips) || captions !== clips * captionsPerClip || clips === 0) {
    throw new RangeError(
      `recall@1: ${clips} clips and ${captions} captions at ${captionsPerClip} per clip`,
    );
  }
  const a = normalisedRows(audio, clips, dim);
  const t = normalisedRows(text, captions, dim);
  const similarity = (clip: number, caption: number) => {
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      sum += (a[clip * dim + d] as number) * (t[caption * dim + d] as number);
    }
    return sum;
  };
  let audioHits = 0;
  for (let clip = 0; clip < clips; clip++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let caption = 0; caption < captions; caption++) {
      const value = similarity(clip, caption);
      if (value > bestValue) {
        best = caption;
        bestValue = value;
      }
    }
    audioHits += Math.floor(best / captionsPerClip) === clip ? 1 : 0;
  }
  let textHits = 0;
  for (let caption = 0; caption < captions; caption++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let clip = 0; clip < clips; clip++) {
      const value = similarity(clip, caption);
      if (value > bestValue) {
        best = clip;
        bestValue = value;
      }
    }
    textHits += best === Math.floor(caption / captionsPerClip) ? 1 : 0;
  }
  const audioToText = audioHits / clips;
  const textToAudio = textHits / captions;
  return { audioToText, textToAudio, score: (audioToText + textToAudio) / 2 };
}
