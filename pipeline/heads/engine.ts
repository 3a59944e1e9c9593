/**
 * Sessions of the engine's graphs, created once per shape and reused across folds and tasks.
 */
import { OrtSession, type ExecutionProvider } from '../runtime/ort.ts';

export interface EngineSettings {
  /** Threads per operator; defaults to every core. */
  readonly intraOpThreads?: number;
  /** Defaults to the CPU. */
  readonly provider?: ExecutionProvider;
}

export class Engine {
  readonly #settings: EngineSettings;
  readonly #sessions = new Map<string, Promise<OrtSession>>();

  constructor(settings: EngineSettings = {}) {
    this.#settings = settings;
  }

  /** The session for `key`, building its graph with `build` the first time. */
  session(key: string, build: () => Uint8Array): Promise<OrtSession> {
    let session = this.#sessions.get(key);
    if (!session) {
      const settings = {
        ...(this.#settings.intraOpThreads === undefined
          ? {}
          : { intraOpThreads: this.#settings.intraOpThreads }),
        ...(this.#settings.provider === undefined ? {} : { provider: this.#settings.provider }),
      };
      session = OrtSession.create(build(), { label: `engine graph ${key}`, ...settings });
      this.#sessions.set(key, session);
    }
    return session;
  }

  async release(): Promise<void> {
    const sessions = await Promise.all(this.#sessions.values());
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.release()));
  }
}
