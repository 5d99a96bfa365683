// やりとり履歴: 「検証」 fetches the record's proof from the portal and verifies it here (proof-verifier.js).
import { verifyRecordProof } from '/assets/proof-verifier.js';

const table = document.getElementById('history-table');

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
      show(panel, null, body?.message ?? '証明を取得できませんでした。');
      return;
    }
    const shown = {
      sequence: d.sequence, recordedAt: d.recordedAt, requestId: d.requestId, inquirer: d.inquirer, provider: d.provider,
      affair: d.affair, kind: d.kind, result: d.result, refusalCode: d.refusalCode || null,
    };
    const result = await verifyRecordProof(body, shown, table.dataset.networkKey || null);
    show(panel, result, result.steps.find((s) => !s.ok)?.detail);
  } catch {
    show(panel, null, '証明を取得できませんでした。');
  } finally {
    button.disabled = false;
  }
});
