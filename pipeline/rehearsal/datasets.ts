/**
 * What the rehearsal knows about each of the 22 public X-ARES datasets at their real size: clips
 * per split or fold, shard file names as X-ARES writes and globs them (including the mini-set
 * files its globs also match), the audio as distributed (format, sample rate, channels) and the
 * distribution of clip lengths. `--scale` multiplies the clip counts; 1.0 is the real suite.
 *
 * The figures come from each dataset's own documentation and from X-ARES (its hard-coded
 * `evalset_size` of commit 354b551 and its task files); where neither states a figure, it is an
 * estimate and `estimate` says what was assumed. docs/rehearsal.md prints this table.
 */

/** Seconds per clip: fixed, uniform, or log-normal (median and sigma of the log) clamped to a range. */
export type ClipLength =
  | { readonly kind: 'fixed'; readonly seconds: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly kind: 'lognormal';
      readonly median: number;
      readonly sigma: number;
      readonly min: number;
      readonly max: number;
    }
  /** Mostly `seconds`, a share `shorter` uniformly shorter down to `min` (DESED's real clips). */
  | {
      readonly kind: 'mostly';
      readonly seconds: number;
      readonly shorter: number;
      readonly min: number;
    };

export type AudioFormat = 'wav' | 'flac';

export interface RehearsalAudio {
  /** As the dataset distributes it; MP3 (FMA) is stored as FLAC, see `note`. */
  readonly format: AudioFormat;
  /** One rate, or several drawn per clip (UrbanSound8K keeps its recordings' rates). */
  readonly sampleRates: readonly number[];
  /** Share of clips with two channels. */
  readonly stereo: number;
}

/** The shard files of one split or fold: `#` runs in `pattern` are the zero-padded shard index. */
export interface ShardSeries {
  readonly pattern: string;
  /** Shard files at full size. */
  readonly count: number;
}

/** A file in the record that X-ARES's glob also matches, which is not part of the split. */
export interface Decoy {
  readonly name: string;
  /** The split or fold whose glob matches it. */
  readonly group: string;
  /** Clips in it at full size (copies of the split's first clips, as a mini set is). */
  readonly clips: number;
}

export interface RehearsalDataset {
  readonly task: string;
  /** Clips per split (train, valid, test) or fold id, at full size. */
  readonly clips: Readonly<Record<string, number>>;
  /** Mean clip length (seconds) of the real data: the hours column of the docs' table. */
  readonly meanSeconds: number;
  readonly length: ClipLength;
  readonly audio: RehearsalAudio;
  /** Shard series per split or fold; a split that reads another's shards (valid = test) has none. */
  readonly shards: Readonly<Record<string, ShardSeries>>;
  readonly decoys?: readonly Decoy[];
  /** Another task whose Zenodo record and shards this task reads (the two LibriSpeech tasks). */
  readonly sameRecordAs?: string;
  /** Where the counts and lengths come from. */
  readonly source: string;
  /** What is assumed where no source states a figure. */
  readonly estimate?: string;
  readonly note?: string;
}

const mono16k: RehearsalAudio = { format: 'wav', sampleRates: [16000], stereo: 0 };
const series = (pattern: string, count: number): ShardSeries => ({ pattern, count });
const seven = (prefix: string, count: number) => series(`${prefix}_#######.tar`, count);
const six = (prefix: string, count: number) => series(`${prefix}-######.tar`, count);

export const REHEARSAL_DATASETS: readonly RehearsalDataset[] = Object.freeze([
  {
    task: 'asvspoof2015',
    clips: { train: 16375, valid: 53372, test: 190948 },
    meanSeconds: 3.2,
    length: { kind: 'lognormal', median: 3.0, sigma: 0.35, min: 0.8, max: 14 },
    audio: mono16k,
    shards: {
      train: seven('asvspoof_train', 20),
      valid: seven('asvspoof_valid', 20),
      test: seven('asvspoof_eval', 194),
    },
    source:
      'ASVspoof 2015 evaluation plan (train 16,375, development 53,372 trials); test: X-ARES evalset_size 190,948 (the plan lists 193,404 evaluation trials)',
    estimate: 'mean length 3.2 s (VCTK-style read sentences)',
  },
  {
    task: 'clotho',
    clips: { train: 3839, valid: 1045, test: 1045 },
    meanSeconds: 22.5,
    length: { kind: 'uniform', min: 15, max: 30 },
    audio: { format: 'wav', sampleRates: [44100], stereo: 0 },
    shards: {
      train: seven('clotho_development', 4),
      valid: seven('clotho_evaluation', 2),
      test: seven('clotho_validation', 2),
    },
    source:
      'Clotho v2 (Drossos et al. 2020; Zenodo 4783391): 3,839 / 1,045 / 1,045 clips of 15-30 s, 5 captions each',
  },
  {
    task: 'cremad',
    clips: { train: 5209, valid: 1117, test: 1116 },
    meanSeconds: 2.54,
    length: { kind: 'lognormal', median: 2.5, sigma: 0.18, min: 1.3, max: 5 },
    audio: mono16k,
    shards: {
      train: six('wds-audio-train', 20),
      valid: six('wds-audio-valid', 20),
      test: six('wds-audio-test', 20),
    },
    source:
      'CREMA-D (Cao et al. 2014): 7,442 clips; X-ARES splits 70/15/15 and its evalset_size is 1,116',
  },
  {
    task: 'desed',
    clips: { train: 10000, test: 1153 },
    meanSeconds: 9.9,
    length: { kind: 'mostly', seconds: 10, shorter: 0.1, min: 2 },
    audio: { format: 'wav', sampleRates: [16000], stereo: 0 },
    shards: { train: six('wds-audio-train', 20), test: six('wds-audio-eval', 20) },
    source:
      'DESED (Turpault et al. 2019): 10 s soundscapes; test: X-ARES evalset_size 1,153 (the real validation set, 1,168 listed)',
    estimate:
      'train = the 10,000 synthetic strongly labelled soundscapes of DCASE 2021; about 10% of real clips are shorter than 10 s',
  },
  {
    task: 'esc50',
    clips: { 1: 400, 2: 400, 3: 400, 4: 400, 5: 400 },
    meanSeconds: 5,
    length: { kind: 'fixed', seconds: 5 },
    audio: { format: 'wav', sampleRates: [44100], stereo: 0 },
    shards: Object.fromEntries(
      [1, 2, 3, 4, 5].map((fold) => [String(fold), six(`wds-audio-fold-${fold}`, 4)]),
    ),
    source: 'ESC-50 (Piczak 2015): 2,000 clips of 5 s in 5 folds of 400',
    estimate: '4 shards per fold (the X-ARES tools script default)',
  },
  {
    task: 'fluentspeechcommands',
    clips: { train: 23132, valid: 3118, test: 3793 },
    meanSeconds: 2.3,
    length: { kind: 'lognormal', median: 2.2, sigma: 0.3, min: 0.8, max: 8 },
    audio: mono16k,
    shards: {
      train: seven('fluentspeechcommands_train', 20),
      valid: seven('fluentspeechcommands_valid', 4),
      test: seven('fluentspeechcommands_test', 4),
    },
    source: 'Fluent Speech Commands (Lugosch et al. 2019): 23,132 / 3,118 / 3,793 utterances, 19 h',
  },
  {
    task: 'freemusicarchive',
    clips: { train: 6400, valid: 800, test: 800 },
    meanSeconds: 30,
    length: { kind: 'fixed', seconds: 30 },
    audio: { format: 'flac', sampleRates: [44100], stereo: 1 },
    shards: {
      train: seven('fma_small_train', 20),
      valid: seven('fma_small_valid', 4),
      test: seven('fma_small_test', 4),
    },
    source: 'FMA small (Defferrard et al. 2017): 8,000 tracks of 30 s, 8 balanced genres, 80/10/10',
    note: 'FMA distributes MP3; the rehearsal stores the same rate and channels as FLAC (no MP3 encoder here), so MP3 decoding is exercised by the unit tests only',
  },
  {
    task: 'fsd50k',
    clips: { train: 36796, valid: 4170, test: 10231 },
    meanSeconds: 7.6,
    length: { kind: 'lognormal', median: 5.0, sigma: 0.9, min: 0.3, max: 30 },
    audio: { format: 'wav', sampleRates: [44100], stereo: 0 },
    shards: {
      train: seven('fsd50k_train', 20),
      valid: seven('fsd50k_validation', 4),
      test: seven('fsd50k_eval', 20),
    },
    source:
      'FSD50K (Fonseca et al. 2022): 51,197 clips, 108.3 h; dev 40,966 split 36,796 / 4,170, eval 10,231; 0.3-30 s',
  },
  {
    task: 'fsdkaggle2018',
    clips: { train: 9473, test: 1600 },
    meanSeconds: 6.8,
    length: { kind: 'lognormal', median: 4.5, sigma: 0.9, min: 0.3, max: 30 },
    audio: { format: 'wav', sampleRates: [44100], stereo: 0 },
    shards: { train: seven('fsd18_train', 20), test: seven('fsd18_test', 4) },
    source: 'FSDKaggle2018 (Fonseca et al. 2018): 9,473 train and 1,600 test clips of 0.3-30 s',
    estimate: 'mean length 6.8 s',
  },
  {
    task: 'gtzan_genre',
    clips: Object.fromEntries(Array.from({ length: 10 }, (_, fold) => [String(fold), 100])),
    meanSeconds: 30,
    length: { kind: 'fixed', seconds: 30 },
    audio: { format: 'wav', sampleRates: [22050], stereo: 0 },
    shards: Object.fromEntries(
      Array.from({ length: 10 }, (_, fold) => [
        String(fold),
        series(`gtzan_fold_${fold}_0000000.tar`, 1),
      ]),
    ),
    source: 'GTZAN (Tzanetakis and Cook 2002): 1,000 clips of 30 s at 22,050 Hz; 10 folds of 100',
  },
  {
    task: 'libricount',
    clips: Object.fromEntries(Array.from({ length: 5 }, (_, fold) => [String(fold), 1144])),
    meanSeconds: 5,
    length: { kind: 'fixed', seconds: 5 },
    audio: mono16k,
    shards: Object.fromEntries(
      Array.from({ length: 5 }, (_, fold) => [
        String(fold),
        series(`libricount_fold${String(fold).padStart(2, '0')}.tar`, 1),
      ]),
    ),
    source: 'LibriCount (Stöter et al. 2018): 5,720 clips of 5 s, 0-10 speakers; 5 folds of 1,144',
  },
  {
    task: 'librispeech',
    clips: { train: 28539, valid: 2703, test: 2620 },
    meanSeconds: 12.3,
    length: { kind: 'lognormal', median: 13.5, sigma: 0.45, min: 1.3, max: 35 },
    audio: { format: 'flac', sampleRates: [16000], stereo: 0 },
    shards: {
      train: six('train-clean-100', 20),
      valid: six('dev-clean', 20),
      test: six('test-clean', 20),
    },
    source:
      'LibriSpeech (Panayotov et al. 2015): train-clean-100 28,539 utterances (100.6 h), dev-clean 2,703 (5.4 h), test-clean 2,620 (5.4 h)',
    note: 'one record for both LibriSpeech tasks; each sample carries "trans", "speaker" and "gender"',
  },
  {
    task: 'librispeechmalefemale',
    clips: { train: 28539, valid: 2703, test: 2620 },
    meanSeconds: 12.3,
    length: { kind: 'lognormal', median: 13.5, sigma: 0.45, min: 1.3, max: 35 },
    audio: { format: 'flac', sampleRates: [16000], stereo: 0 },
    shards: {},
    sameRecordAs: 'librispeech',
    source: 'the LibriSpeech record (above), read a second time with 5 s crops',
  },
  {
    task: 'maestro',
    clips: { train: 353, valid: 50, test: 65 },
    meanSeconds: 560,
    length: { kind: 'lognormal', median: 420, sigma: 0.75, min: 30, max: 2700 },
    audio: { format: 'wav', sampleRates: [44100, 48000], stereo: 1 },
    shards: {
      train: seven('maestro_train', 20),
      valid: seven('maestro_valid', 4),
      test: seven('maestro_test', 4),
    },
    source:
      'MAESTRO v3 (Hawthorne et al. 2019): 1,276 performances, 198.7 h (962 / 137 / 177), WAV 44.1-48 kHz stereo; test: X-ARES evalset_size 65',
    estimate:
      "train and valid keep MAESTRO's proportions to X-ARES's 65 test pieces (353 / 50); lengths median 7 min, 0.5-45 min",
  },
  {
    task: 'nsynthinstument',
    clips: { train: 289205, valid: 12678, test: 4096 },
    meanSeconds: 4,
    length: { kind: 'fixed', seconds: 4 },
    audio: mono16k,
    shards: {
      train: seven('nsynth_train', 60),
      valid: seven('nsynth_valid', 4),
      test: seven('nsynth_test', 2),
    },
    decoys: [{ name: 'nsynth_train_sub55k_0000000.tar', group: 'train', clips: 55000 }],
    source: 'NSynth (Engel et al. 2017): 289,205 / 12,678 / 4,096 notes of 4 s at 16 kHz',
    estimate: 'the 55k-note mini set is one extra file beside the full train split',
  },
  {
    task: 'ravdess',
    clips: Object.fromEntries(Array.from({ length: 4 }, (_, fold) => [String(fold), 360])),
    meanSeconds: 3.7,
    length: { kind: 'lognormal', median: 3.7, sigma: 0.08, min: 2.9, max: 5.3 },
    audio: { format: 'wav', sampleRates: [48000], stereo: 0 },
    shards: Object.fromEntries(
      Array.from({ length: 4 }, (_, fold) => [
        String(fold),
        series(`ravdess_fold_${fold}_0000000.tar`, 1),
      ]),
    ),
    source: 'RAVDESS (Livingstone and Russo 2018): 1,440 speech clips at 48 kHz; 4 folds of 360',
  },
  {
    task: 'speechcommandsv1',
    clips: { train: 51094, valid: 6798, test: 6835 },
    meanSeconds: 1,
    length: { kind: 'mostly', seconds: 1, shorter: 0.1, min: 0.4 },
    audio: mono16k,
    shards: {
      train: six('wds-audio-train', 20),
      valid: six('wds-audio-valid', 4),
      test: six('wds-audio-test', 4),
    },
    source: 'Speech Commands v1 (Warden 2018): 51,094 / 6,798 / 6,835 utterances of at most 1 s',
  },
  {
    task: 'urbansound8k',
    clips: { 1: 873, 2: 888, 3: 925, 4: 990, 5: 936, 6: 823, 7: 838, 8: 806, 9: 816, 10: 837 },
    meanSeconds: 3.6,
    length: { kind: 'mostly', seconds: 4, shorter: 0.2, min: 0.1 },
    audio: { format: 'wav', sampleRates: [44100, 48000, 96000, 22050, 16000, 11025], stereo: 0.7 },
    shards: Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [
        String(index + 1),
        series(`urbansound_fold${index + 1}_0000000.tar`, 1),
      ]),
    ),
    source:
      'UrbanSound8K (Salamon et al. 2014): 8,732 clips of at most 4 s, 8.75 h; the official 10 folds',
  },
  {
    task: 'vocalimitations',
    clips: { 0: 1867, 1: 1867, 2: 1867 },
    meanSeconds: 4,
    length: { kind: 'lognormal', median: 3.5, sigma: 0.5, min: 0.5, max: 20 },
    audio: { format: 'wav', sampleRates: [44100], stereo: 0 },
    shards: Object.fromEntries(
      [0, 1, 2].map((fold) => [
        String(fold),
        series(`vocal_imitations_fold0${fold}_0000000.tar`, 1),
      ]),
    ),
    source:
      'VocalImitationSet (Kim et al. 2018): 5,601 imitations of 302 sounds; X-ARES evalset_size 1,867 per fold',
    estimate: 'mean length 4 s',
  },
  {
    task: 'vocalsound',
    clips: { train: 15570, valid: 1860, test: 3594 },
    meanSeconds: 4.2,
    length: { kind: 'lognormal', median: 3.8, sigma: 0.4, min: 0.5, max: 12 },
    audio: mono16k,
    shards: { train: seven('train', 20), valid: seven('valid', 4), test: seven('test', 4) },
    source: 'VocalSound (Gong et al. 2022): 21,024 clips, speaker-disjoint 15,570 / 1,860 / 3,594',
    estimate: 'mean length 4.2 s',
  },
  {
    task: 'voxceleb1',
    clips: { train: 138361, valid: 6904, test: 8251 },
    meanSeconds: 8.2,
    length: { kind: 'lognormal', median: 6.5, sigma: 0.55, min: 4, max: 145 },
    audio: mono16k,
    shards: {
      train: seven('voxceleb1_train', 60),
      valid: seven('voxceleb1_valid', 4),
      test: seven('voxceleb1_test', 4),
    },
    source:
      'VoxCeleb1 identification split (Nagrani et al. 2017): 138,361 / 6,904 / 8,251 utterances of 1,251 speakers, 352 h',
    note: "X-ARES's mini set (voxceleb1_train_00000{00..02}) is the first three shards of the train series, so explicit lists keep them",
  },
  {
    task: 'voxlingua33',
    clips: { train: 33000, test: 1609 },
    meanSeconds: 10,
    length: { kind: 'lognormal', median: 9, sigma: 0.45, min: 2, max: 20 },
    audio: mono16k,
    shards: { train: seven('train_subset', 20), test: seven('dev', 2) },
    decoys: [
      { name: 'train_subset_2k_0000000.tar', group: 'train', clips: 1000 },
      { name: 'train_subset_2k_0000001.tar', group: 'train', clips: 1000 },
    ],
    source: 'VoxLingua107 (Valk and Alumäe 2021): dev set of the 33 languages 1,609 utterances',
    estimate: 'train subset 1,000 utterances per language; mean length 10 s',
  },
]);

export function rehearsalDataset(task: string): RehearsalDataset {
  const found = REHEARSAL_DATASETS.find((entry) => entry.task === task);
  if (!found) {
    throw new Error(`the rehearsal has no dataset for task "${task}"`);
  }
  return found;
}
