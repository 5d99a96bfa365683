// やりとり履歴: 「検証」 fetches the record's proof from the portal and verifies it here (proof-verifier.js), then checks that
// the signed head extends the last head this browser verified (kept in localStorage: sizes, roots and signatures only,
// nothing about the person), so a network that rewrote or forked its log since then is caught on the next visit.
import { verifyRecordProof, verifyConsistency, fromHex } from '/assets/proof-verifier.js';

const table = document.getElementById('history-table');
const KEPT_HEAD = 'renkei.provisionRecords.lastVerifiedHead';

function keptHead() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEPT_HEAD) ?? 'null');
    return kept && typeof kept.treeSize === 'number' && /^[0-9a-f]{64}$/.test(kept.rootHash ?? '') ? kept : null;
  } catch {
    return null;
  }
}

/** The step that compares the verified head with the kept one; keeps the newer head when they are consistent. */
async function checkAgainstKept(head) {
  const kept = keptHead();
  const keep = () => localStorage.setItem(KEPT_HEAD, JSON.stringify({
    treeSize: Number(head.treeSize), rootHash: head.rootHash, signedAt: head.signedAt, signature: head.signature,
  }));
  if (!kept) {
    keep();
    return { name: '前回確認した記録との一貫性', ok: true, detail: `この端末で初めての確認です。記録 ${head.treeSize} 件のツリーヘッドを保存しました。` };
  }
  if (kept.treeSize > Number(head.treeSize)) {
    return { name: '前回確認した記録との一貫性', ok: false,
      detail: `前回この端末で確認した記録は ${kept.treeSize} 件でしたが、今回は ${head.treeSize} 件です。記録が削除された可能性があります。` };
  }
  let ok = false;
  try {
    const response = await fetch(`/history/consistency?first=${kept.treeSize}&second=${head.treeSize}`, { credentials: 'same-origin', cache: 'no-store' });
    const proof = response.ok ? await response.json() : null;
    ok = proof !== null && Number(proof.firstSize) === kept.treeSize && Number(proof.secondSize) === Number(head.treeSize)
      && await verifyConsistency(kept.treeSize, head.treeSize, fromHex(kept.rootHash), fromHex(head.rootHash), proof.path.map(fromHex));
  } catch {
    ok = false;
  }
  if (ok && Number(head.treeSize) >= kept.treeSize) keep();
  return { name: '前回確認した記録との一貫性', ok, detail: ok
    ? `前回この端末で確認した記録 ${kept.treeSize} 件の木を、今回の記録 ${head.treeSize} 件の木がそのまま含んでいることを一貫性の証明で確認しました。`
    : `前回この端末で確認した記録 ${kept.treeSize} 件の木と、今回の記録 ${head.treeSize} 件の木の一貫性を確認できません。記録が書き換えられた可能性があります。` };
}

function show(panel, result, message) {
  panel.replaceChildren();
  if (result) {
    const steps = document.createElement('ol');
    steps.className = 'steps';
    for (const s of result.steps) {
      const item = document.createElement('li');
      item.className = s.ok ? 'passed' : 'failed';
      const name = document.createElement('strong');
      name.textContent = `${s.name}: ${s.ok ? 'OK' : 'NG'}`;
      const detail = document.createElement('span');
      detail.className = 'mono';
      detail.textContent = ' ' + s.detail;
      item.append(name, detail);
      steps.append(item);
    }
    panel.append(steps);
  }
  const verdict = document.createElement('p');
  verdict.className = result?.ok ? 'ok verdict' : 'error verdict';
  verdict.setAttribute('role', 'status');
  verdict.textContent = result?.ok
    ? '検証済み — この記録はネットワークの署名付きの記録に含まれており、改ざんされていません。'
    : `検証失敗 — ${message ?? 'この記録を確認できませんでした。'}`;
  panel.append(verdict);
  panel.hidden = false;
}

table?.addEventListener('click', async (event) => {
  const toggle = event.target.closest('button.group-toggle');
  if (toggle) {
    const group = document.getElementById(toggle.getAttribute('aria-controls'));
    const open = group.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? '内訳を閉じる' : '内訳を表示';
    return;
  }
  const button = event.target.closest('button.verify');
  if (!button) return;
  const row = button.closest('tr');
  const panel = document.getElementById(button.getAttribute('aria-controls'));
  const d = row.dataset;
  button.disabled = true;
  panel.hidden = false;
  panel.textContent = '検証しています…';
  try {
    const response = await fetch(`/history/proof?sequence=${encodeURIComponent(d.sequence)}`, { credentials: 'same-origin', cache: 'no-store' });
    const body = await response.json().catch(() => null);
    if (!response.ok || !body) {
      show(panel, null, body?.detail ?? body?.message ?? '証明を取得できませんでした。');
      return;
    }
    const words = {};
    for (const cell of row.querySelectorAll('td[data-shown]')) words[cell.dataset.shown] = cell.textContent;
    const shown = {
      sequence: d.sequence, recordedAt: d.recordedAt, requestId: d.requestId, inquirer: d.inquirer, provider: d.provider,
      affair: d.affair, kind: d.kind, result: d.result, refusalCode: d.refusalCode || null, words,
    };
    let nameTable = null;
    try { nameTable = JSON.parse(table.dataset.nameTable || 'null'); } catch { nameTable = null; }
    const result = await verifyRecordProof(body, shown, table.dataset.networkKey || null, nameTable);
    if (result.ok) {
      const consistency = await checkAgainstKept(body.treeHead);
      result.steps.push(consistency);
      result.ok = consistency.ok;
    }
    show(panel, result, result.steps.find((s) => !s.ok)?.detail);
  } catch {
    show(panel, null, '証明を取得できませんでした。');
  } finally {
    button.disabled = false;
  }
});
