/**
 * The review desk's pages: server-rendered HTML, no script needed, no CDN or web font, every
 * text escaped. The look (stylesheet, verdict words, boxes, glossary) is the offline report's
 * (src/report/look.ts), so the team reads one language in both.
 */
import type { FaceResult } from '../../domain/results.js';
import { escapeMarkup as e } from '../../images/face-crop.js';
import {
  captionsHtml,
  css,
  faceBoxesSvg,
  findingWords,
  glossaryHtml,
  scoreInWords,
  verdictBadge,
  verdictWords,
} from '../../report/look.js';
import type { BatchListItem } from '../../services/batches.js';
import type { CheckWithResult, InboxCounts, InboxFilter } from '../../services/checks.js';
import type { Person, ReferencePhoto } from '../../services/registry.js';

const deskCss = `${css}
nav.desk { display: flex; gap: 1.2em; align-items: center; border-bottom: 2px solid #d1d5db; padding-bottom: 0.6em; margin-bottom: 1em; flex-wrap: wrap; }
nav.desk .who { margin-left: auto; }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: end; margin: 0.8em 0; }
form.filters label, form.decide label { display: flex; flex-direction: column; font-size: 0.92em; }
input, select, textarea, button { font: inherit; }
button { padding: 0.3em 0.9em; border: 1px solid #374151; border-radius: 4px; background: #f3f4f6; color: #111; cursor: pointer; }
button.primary { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.counts { display: flex; gap: 1.5em; flex-wrap: wrap; }
.decision { font-weight: 600; }
fieldset { border: 1px solid #9ca3af; padding: 0.6em 1em; margin: 0.6em 0; }
.error { color: #991b1b; font-weight: 600; }
`;

const decisionWords: Record<string, string> = {
  photo_correct: 'photo correct',
  photo_wrong: 'photo wrong',
  needs_follow_up: 'needs follow-up',
};

export interface PageUser {
  name: string;
  role: string;
  csrf: string;
}

export function layout(title: string, body: string, user: PageUser | null): string {
  const nav = user
    ? `<nav class="desk" aria-label="Review desk"><a href="/review">Inbox</a><a href="/review/people">People</a>
<span class="who muted">Signed in as ${e(user.name)} (${e(user.role)})
<form class="inline" method="post" action="/review/logout"><input type="hidden" name="csrf" value="${e(user.csrf)}"><button type="submit">Sign out</button></form></span></nav>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · photo-verify review desk</title><style>${deskCss}</style></head>
<body>${nav}<main>${body}</main></body></html>`;
}

export function loginPage(message: string | null): string {
  return layout(
    'Sign in',
    `<h1>Review desk</h1>
<p>Sign in with your API key. It is checked once; the browser keeps only a session cookie.</p>
${message ? `<p class="error" role="alert">${e(message)}</p>` : ''}
<form method="post" action="/review/login">
<p><label for="key">API key</label><br><input id="key" name="key" type="password" autocomplete="current-password" required size="50"></p>
<p><button class="primary" type="submit">Sign in</button></p>
</form>`,
    null,
  );
}

export function errorPage(status: number, message: string, user: PageUser | null): string {
  return layout(
    `Error ${status}`,
    `<h1>${status === 404 ? 'Not found' : 'Cannot do that'}</h1><p class="error" role="alert">${e(message)}</p><p><a href="/review">Back to the inbox</a></p>`,
    user,
  );
}

function when(iso: string | null): string {
  return iso ? `<time datetime="${e(iso)}">${e(iso.slice(0, 16).replace('T', ' '))} UTC</time>` : '';
}

/** One line per check: what is wrong with it, or that nothing is. */
function checkSummary(check: { flagged: boolean | null; status: string; errorCode: string | null }): string {
  if (check.status === 'failed')
    return `<span class="verdict tone-alert">! could not be checked</span> <span class="muted">${e(check.errorCode ?? '')}</span>`;
  if (check.status !== 'done') return `<span class="verdict tone-neutral">… ${e(check.status)}</span>`;
  return check.flagged ? '<span class="verdict tone-alert">⚑ flagged</span>' : '<span class="verdict tone-ok">✓ nothing flagged</span>';
}

export function inboxPage(
  result: {
    checks: Array<
      Pick<CheckWithResult, 'id' | 'fileName' | 'status' | 'flagged' | 'errorCode' | 'createdAt' | 'reviewDecision' | 'batchId'>
    >;
    counts: InboxCounts;
  },
  batches: BatchListItem[],
  filter: Omit<InboxFilter, 'limit' | 'offset'>,
  user: PageUser,
): string {
  const batchRows = batches
    .map(
      (batch) => `<tr><td><a href="/review?batch=${e(batch.id)}">${e(batch.name ?? `batch ${batch.id.slice(0, 8)}`)}</a></td>
<td>${batch.completedAt ? 'completed' : batch.closedAt ? 'running' : 'open'}${batch.open ? ` <span class="muted">(${batch.open} still being checked)</span>` : ''}</td>
<td>${batch.checks}</td><td>${batch.flaggedUndecided > 0 ? `<b>${batch.flaggedUndecided}</b> of ${batch.flagged}` : `0 of ${batch.flagged}`}</td><td>${when(batch.createdAt)}</td></tr>`,
    )
    .join('\n');
  const batchTable = batches.length
    ? `<h2>Batches</h2><table><caption class="muted">Batches with flagged checks not yet decided first.</caption>
<thead><tr><th scope="col">Batch</th><th scope="col">Status</th><th scope="col">Images</th><th scope="col">Flagged, not decided</th><th scope="col">Created</th></tr></thead>
<tbody>${batchRows}</tbody></table><h2>Checks</h2>`
    : '';
  const option = (value: string, label: string, current: string) =>
    `<option value="${value}"${value === current ? ' selected' : ''}>${label}</option>`;
  const flagged = filter.flagged === undefined ? '' : filter.flagged ? 'yes' : 'no';
  const decided = filter.decided === undefined ? '' : filter.decided ? 'yes' : 'no';
  const rows = result.checks
    .map(
      (check) => `<tr><td><a href="/review/checks/${e(check.id)}">${e(check.fileName ?? check.id)}</a></td><td>${checkSummary(check)}</td>
<td>${check.reviewDecision ? `<span class="decision">${e(decisionWords[check.reviewDecision] ?? check.reviewDecision)}</span>` : '<span class="muted">not decided</span>'}</td>
<td>${when(check.createdAt)}</td><td class="muted">${check.batchId ? `<a href="/review?batch=${e(check.batchId)}">batch ${e(check.batchId.slice(0, 8))}</a>` : ''}</td></tr>`,
    )
    .join('\n');
  return layout(
    'Inbox',
    `<h1>Inbox</h1>
<p class="counts"><span><b>${result.counts.flaggedUndecided}</b> flagged and not decided</span><span><b>${result.counts.flagged}</b> flagged</span><span><b>${result.counts.decided}</b> decided</span><span><b>${result.counts.total}</b> checks</span></p>
<form class="filters" method="get" action="/review" aria-label="Filter the checks">
<label>Flagged<select name="flagged">${option('', 'all', flagged)}${option('yes', 'flagged', flagged)}${option('no', 'not flagged', flagged)}</select></label>
<label>Decided<select name="decided">${option('', 'all', decided)}${option('no', 'not decided', decided)}${option('yes', 'decided', decided)}</select></label>
<label>Person id<input name="person" value="${e(filter.personId ?? '')}" size="18"></label>
<label>Batch<input name="batch" value="${e(filter.batchId ?? '')}" size="12"></label>
<label>From<input type="date" name="from" value="${e(filter.from ?? '')}"></label>
<label>To<input type="date" name="to" value="${e(filter.to ?? '')}"></label>
<button type="submit">Filter</button></form>
${batchTable}<table><caption class="muted">Flagged checks not yet decided come first, newest first.</caption>
<thead><tr><th scope="col">Draft</th><th scope="col">Result</th><th scope="col">Decision</th><th scope="col">Submitted</th><th scope="col">Batch</th></tr></thead>
<tbody>${rows || '<tr><td colspan="5">No check matches.</td></tr>'}</tbody></table>`,
    user,
  );
}

export interface FaceEvidence {
  face: FaceResult;
  number: number;
  /** Every reference photo of the claimed person (the matching one marked), and of whom it matches instead. */
  claimedPhotos: ReferencePhoto[];
  otherPhotos: ReferencePhoto[];
  otherName: string | null;
}

function photoFigure(photo: ReferencePhoto, person: string, matched: boolean): string {
  const label = `${photo.personId}/${photo.fileName ?? photo.id.slice(0, 8)}`;
  return `<figure class="photo${matched ? ' matched' : ''}"><img src="/review/people/${e(photo.personId)}/photos/${e(photo.id)}" alt="Reference photo of ${e(person)}, ${e(label)}" loading="lazy">
<figcaption>${e(person)}<br><span class="muted">${e(label)}</span>${matched ? '<br><b>the photo that gave the score</b>' : ''}${photo.status !== 'active' ? `<br><span class="muted">${e(photo.status)}</span>` : ''}</figcaption></figure>`;
}

/** Reasons name reference photos by id; people read them as person/file. */
function namePhotos(text: string, photos: ReferencePhoto[]): string {
  return photos.reduce((named, photo) => named.replaceAll(photo.id, `${photo.personId}/${photo.fileName ?? photo.id.slice(0, 8)}`), text);
}

function faceSection(checkId: string, evidence: FaceEvidence): string {
  const { face, number } = evidence;
  const words = verdictWords[face.verdict];
  const claimed = face.claim
    ? `captioned <b>${e(face.claim.name)}</b>`
    : face.claimText
      ? `captioned “${e(face.claimText)}” (not a registry name)`
      : 'no caption';
  const instead =
    face.bestMatch && face.bestMatch.personId !== face.claim?.personId ? `; matches <b>${e(face.bestMatch.name)}</b> instead` : '';
  const figures = [
    `<figure class="photo"><img src="/review/checks/${e(checkId)}/faces/${number}/crop" alt="Face ${number} as the draft shows it"><figcaption>Face ${number} in the draft</figcaption></figure>`,
    ...evidence.claimedPhotos.map((photo) => photoFigure(photo, face.claim?.name ?? photo.personId, photo.id === face.claimReferencePhoto)),
    ...evidence.otherPhotos.map((photo) =>
      photoFigure(photo, evidence.otherName ?? photo.personId, photo.id === (face.bestMatch ?? face.nearest)?.referencePhoto),
    ),
  ];
  return `<section class="face tone-${words.tone}" id="face-${number}" aria-labelledby="face-${number}-title">
<h3 id="face-${number}-title">Face ${number}: ${verdictBadge(face.verdict)} <span class="muted">${claimed}${instead}</span></h3>
<p class="muted">${e(words.meaning)} ${e(words.todo)}</p>
<div class="evidence">${figures.join('')}</div>
<ul class="scores">${scoreInWords(face)
    .map((line) => `<li>${e(line)}</li>`)
    .join('')}</ul>
<ul class="reasons">${face.reasons.map((reason) => `<li>${e(namePhotos(reason, [...evidence.claimedPhotos, ...evidence.otherPhotos]))}</li>`).join('')}</ul></section>`;
}

export function checkPage(
  check: CheckWithResult,
  draft: { width: number; height: number },
  evidence: FaceEvidence[],
  user: PageUser & { canDecide: boolean },
): string {
  const faces = check.faces;
  const boxes = faceBoxesSvg(
    draft.width,
    draft.height,
    faces.map((face, index) => ({ box: face.box, verdict: face.verdict, number: index + 1 })),
  );
  const findings = (check.findings ?? []).map(
    (finding) => `<li><b>${e(findingWords[finding.code]?.label ?? finding.code)}</b>: ${e(finding.message)}</li>`,
  );
  const compact = faces
    .map((face, index) => ({ face, number: index + 1 }))
    .filter(({ number }) => !evidence.some((item) => item.number === number))
    .map(
      ({ face, number }) =>
        `<li class="face compact tone-${verdictWords[face.verdict].tone}" id="face-${number}">Face ${number}: ${verdictBadge(face.verdict)} ${face.claim ? e(face.claim.name) : face.bestMatch ? e(face.bestMatch.name) : ''}</li>`,
    );
  const decision = check.reviewDecision
    ? `<p>Decided: <span class="decision">${e(decisionWords[check.reviewDecision] ?? check.reviewDecision)}</span> ${when(check.reviewedAt)}${check.reviewNote ? ` — “${e(check.reviewNote)}”` : ''}</p>`
    : '<p class="muted">Not decided yet.</p>';
  const form = user.canDecide
    ? `<form class="decide" method="post" action="/review/checks/${e(check.id)}/decision">
<input type="hidden" name="csrf" value="${e(user.csrf)}">
<fieldset><legend>Your decision on this draft</legend>
${Object.entries(decisionWords)
  .map(
    ([value, label]) =>
      `<label><span><input type="radio" name="decision" value="${value}"${check.reviewDecision === value ? ' checked' : ''} required> ${label}</span></label>`,
  )
  .join('\n')}
<label for="note">Note (what you found, whom to tell)</label><textarea id="note" name="note" rows="3" cols="60">${e(check.reviewNote ?? '')}</textarea>
</fieldset><button class="primary" type="submit">Record the decision</button></form>`
    : '<p class="muted">Your key’s role cannot record decisions (a reviewer’s can).</p>';
  const claims = check.claims.length
    ? check.claims.map((claim, index) => `${index + 1}. ${e(claim.text)}`).join('; ')
    : check.captions?.used
      ? 'none given: read from the captions (below)'
      : 'none (faces are identified)';
  return layout(
    check.fileName ?? check.id,
    `<h1>${e(check.fileName ?? check.id)} ${checkSummary(check)}</h1>
<p class="muted">Submitted ${when(check.createdAt)}${check.category ? ` · claimed category ${e(check.category)}` : ''} · names as claimed: ${claims}</p>
${findings.length ? `<h2>Findings</h2><ul class="findings">${findings.join('')}</ul>` : ''}
<h2>The draft</h2>
<figure class="draft"><img src="/review/checks/${e(check.id)}/draft" width="${draft.width}" height="${draft.height}" alt="The draft ${e(check.fileName ?? '')} with ${faces.length} numbered face boxes">${boxes}</figure>
${captionsHtml(check.captions, 2)}
${evidence.length ? `<h2>Faces that need attention</h2>${evidence.map((item) => faceSection(check.id, item)).join('\n')}` : ''}
${compact.length ? `<h2>Other faces</h2><ul>${compact.join('')}</ul>` : ''}
<h2>Decision</h2>${decision}${form}
${glossaryHtml(2)}`,
    user,
  );
}

export interface PersonRow {
  person: Person;
  photos: Array<ReferencePhoto & { warnings: string[] }>;
}

export function peoplePage(rows: PersonRow[], user: PageUser & { canRetire: boolean }): string {
  const sections = rows.map(({ person, photos }) => {
    const usable = photos.filter((photo) => photo.status === 'active').length;
    const figures = photos.map((photo) => {
      const label = `${person.id}/${photo.fileName ?? photo.id.slice(0, 8)}`;
      const retire =
        user.canRetire && photo.status !== 'retired'
          ? `<form method="post" action="/review/people/${e(person.id)}/photos/${e(photo.id)}/retire"><input type="hidden" name="csrf" value="${e(user.csrf)}"><button type="submit">Retire this photo</button></form>`
          : '';
      return `<figure class="photo"><img src="/review/people/${e(person.id)}/photos/${e(photo.id)}" alt="Reference photo ${e(label)}" loading="lazy">
<figcaption>${e(label)}<br><span class="muted">${e(photo.status)}${photo.rejectionReason ? `: ${e(photo.rejectionReason)}` : ''}</span>${photo.warnings.map((warning) => `<br><span class="muted">⚠ ${e(warning)}</span>`).join('')}${retire}</figcaption></figure>`;
    });
    return `<section class="face tone-${usable === 0 ? 'alert' : 'neutral'}"><h2 id="person-${e(person.id)}">${e(person.name)} <span class="muted">${e(person.id)}${person.category ? ` · ${e(person.category)}` : ''}</span></h2>
${usable === 0 ? '<p class="error">No usable reference photo: no face can be confirmed as this person.</p>' : ''}
${person.aliases.length ? `<p class="muted">Also written: ${person.aliases.map(e).join(', ')}</p>` : ''}
<div class="evidence">${figures.join('') || '<p class="muted">No photo.</p>'}</div></section>`;
  });
  return layout(
    'People',
    `<h1>People in the registry</h1><p class="muted">People without a usable photo first.</p>${sections.join('\n')}`,
    user,
  );
}
