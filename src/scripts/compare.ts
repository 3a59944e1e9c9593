/**
 * The compare page's choice of submissions: four selects (two required), the tables re-rendered
 * by the same function that built them on the server, and the choice kept in the URL.
 */
import { compareTableHtml, type CompareData } from '../lib/compare-view.ts';

export function enhanceCompare(): void {
  const source = document.getElementById('compare-data')?.textContent;
  if (!source) {
    return;
  }
  const { data, base } = JSON.parse(source) as { data: CompareData; base: string };
  if (data.submissions.length < 2) {
    return;
  }
  const form = document.querySelector<HTMLFormElement>('[data-compare-controls]');
  const selects = Array.from(document.querySelectorAll<HTMLSelectElement>('[data-compare-slot]'));
  if (!form || selects.length === 0) {
    return;
  }
  const bySlug = new Map(data.submissions.map((submission, index) => [submission.slug, index]));
  const ranked = data.tracks.A[0]?.order ?? [];
  const byName = data.submissions
    .map((submission, index) => ({ ...submission, index }))
    .sort((a, b) => a.label.localeCompare(b.label, 'en'));
  for (const select of selects) {
    for (const submission of byName) {
      select.add(new Option(submission.label, submission.slug));
    }
  }
  const requested = (new URLSearchParams(window.location.search).get('s') ?? '')
    .split(',')
    .filter((slug) => bySlug.has(slug));
  const initial =
    requested.length >= 2
      ? requested
      : ranked.slice(0, 3).map((index) => data.submissions[index]?.slug ?? '');
  selects.forEach((select, slot) => {
    select.value = initial[slot] ?? '';
  });
  const render = () => {
    const chosen = [...new Set(selects.map((select) => select.value).filter(Boolean))];
    const indices = chosen.map((slug) => bySlug.get(slug) ?? 0);
    for (const box of Array.from(document.querySelectorAll<HTMLElement>('[data-compare-table]'))) {
      const track = box.dataset['compareTable'] === 'B' ? 'B' : 'A';
      box.innerHTML =
        indices.length < 2
          ? '<p>Choose at least two different submissions.</p>'
          : compareTableHtml(
              data,
              track,
              box.dataset['title'] ?? '',
              indices,
              (slug) => `${base}${slug}/`,
            );
    }
    const url = new URL(window.location.href);
    url.searchParams.set('s', chosen.join(','));
    window.history.replaceState(null, '', url);
  };
  for (const select of selects) {
    select.addEventListener('change', render);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  form.hidden = false;
  for (const hint of Array.from(document.querySelectorAll<HTMLElement>('[data-without-script]'))) {
    hint.hidden = true;
  }
  render();
}
