// The kiosk's touch screen: one choice per screen, driven against the terminal's own API (/api/…). The card is read by the
// portal's card reader (card-reader.js): the PIN and the keys stay in this page, only the signature and the certificate are
// sent. Nothing outlives a transaction: when it ends (certificate taken, card removed before paying, cancel, idle) the card
// is ejected (the reader's copy erased), every field and list on the screen is emptied and the state below is reset.
import { insertCard, ejectCard, signWithUserKey, remainingAttempts, USER_AUTHENTICATION, CardReaderError } from '/assets/card-reader.js';

const KIND_NAMES = { juminhyo: '住民票の写し', inkan: '印鑑登録証明書', kazei: '課税（非課税）証明書', nozei: '納税証明書' };
const $ = (id) => document.getElementById(id);

let state = fresh();
let idleTimer = null;
let idleSeconds = 90;

function fresh() {
  return { transaction: null, challenge: null, menu: null, item: null, wholeHousehold: false, fiscalYear: null, optionText: '', paid: 0, ordered: false, pin: '' };
}

function show(name) {
  for (const screen of document.querySelectorAll('[data-screen]')) screen.hidden = screen.id !== `screen-${name}`;
  document.body.dataset.screen = name;
}

function yen(value) { return `${Number(value).toLocaleString('ja-JP')}円`; }

function fiscalYearName(year) {
  if (year >= 2019) return `令和${year === 2019 ? '元' : year - 2018}年度`;
  return `平成${year - 1988}年度`;
}

async function api(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (response.status === 204) return null;
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(json?.detail ?? 'ただいま証明書を交付できません。係員にお知らせください。');
    error.code = json?.code ?? 'unexpected';
    error.refundYen = json?.refundYen ?? 0;
    throw error;
  }
  return json;
}

// ------------------------------------------------------------------ ending a transaction

function clearScreen() {
  for (const id of ['menu-ward', 'confirm-kind', 'confirm-option', 'confirm-fee', 'pay-fee', 'done-fee', 'done-change', 'error-text', 'error-refund', 'pin-remaining'])
    $(id).textContent = '';
  $('menu-items').replaceChildren();
  $('option-items').replaceChildren();
  $('pay-paid').textContent = '0円';
  $('pin-display').textContent = '____';
  $('done-output').setAttribute('href', '#');
  for (const id of ['card-error', 'pin-error', 'pay-error']) { $(id).hidden = true; $(id).textContent = ''; }
}

/** Ends the transaction here and at the terminal; the card is ejected and the screen emptied. */
async function endTransaction(notify = true) {
  const transaction = state.transaction;
  state = fresh();
  ejectCard();
  clearScreen();
  if (notify && transaction) { try { await api('/api/end', { transaction }); } catch { /* the terminal ends idle ones itself */ } }
}

async function backToStart() {
  await endTransaction();
  show('welcome');
}

function fail(error) {
  const refund = error.refundYen ?? (state.paid > 0 && !state.ordered ? state.paid : 0);
  state = { ...fresh() };
  ejectCard();
  clearScreen();
  $('error-text').textContent = error.message;
  $('error-text').dataset.code = error.code ?? 'unexpected';
  if (refund > 0) { $('error-refund').textContent = `投入金額 ${yen(refund)} をお返しします。返却口からお取りください。`; $('error-refund').hidden = false; }
  else $('error-refund').hidden = true;
  show('error');
}

// ------------------------------------------------------------------ idle timeout

function touched() {
  clearTimeout(idleTimer);
  if (document.body.dataset.screen === 'welcome') return;
  idleTimer = setTimeout(async () => {
    const paid = state.ordered ? 0 : state.paid;
    await endTransaction();
    fail({ message: '一定時間操作がなかったため、取引を終了しました。', code: 'idle', refundYen: paid });
  }, idleSeconds * 1000);
}
document.addEventListener('pointerdown', touched, true);
document.addEventListener('keydown', touched, true);

// ------------------------------------------------------------------ the screens

$('start').addEventListener('click', async () => {
  await endTransaction(false);
  show('wait');
  try {
    const started = await api('/api/start');
    state.transaction = started.transaction;
    state.challenge = started.challenge;
    show('consent');
    touched();
  } catch (e) { fail(e); }
});

$('agree').addEventListener('click', () => show('card'));

for (const button of document.querySelectorAll('[data-cancel]')) button.addEventListener('click', backToStart);

$('card-file').addEventListener('change', async () => {
  const file = $('card-file').files?.[0];
  $('card-file').value = '';
  if (!file) return;
  try {
    await insertCard(file);
  } catch (e) {
    $('card-error').textContent = e instanceof CardReaderError ? e.message : 'カードを読み取れませんでした。';
    $('card-error').hidden = false;
    return;
  }
  const left = remainingAttempts(USER_AUTHENTICATION);
  if (left === 0) { fail({ message: '暗証番号がロックされています。お住まいの市区町村の窓口で暗証番号の再設定を行ってください。', code: 'pin-locked' }); return; }
  state.pin = '';
  renderPin();
  $('pin-remaining').textContent = left === null ? '' : `あと${left}回間違えるとロックされます。`;
  show('pin');
});

function renderPin() { $('pin-display').textContent = '●'.repeat(state.pin.length) + '_'.repeat(4 - state.pin.length); }

for (const key of document.querySelectorAll('[data-digit]')) key.addEventListener('click', () => {
  if (state.pin.length < 4) state.pin += key.dataset.digit;
  renderPin();
});
$('pin-clear').addEventListener('click', () => { state.pin = ''; renderPin(); });
document.addEventListener('keydown', (event) => {
  if (document.body.dataset.screen !== 'pin') return;
  if (/^[0-9]$/.test(event.key) && state.pin.length < 4) { state.pin += event.key; renderPin(); }
  else if (event.key === 'Backspace') { state.pin = state.pin.slice(0, -1); renderPin(); }
  else if (event.key === 'Enter') $('pin-ok').click();
});

$('pin-ok').addEventListener('click', async () => {
  const pin = state.pin;
  state.pin = '';
  renderPin();
  $('pin-error').hidden = true;
  let proof;
  try {
    proof = await signWithUserKey(pin, new TextEncoder().encode(state.challenge));
  } catch (e) {
    if (e instanceof CardReaderError && e.code === 'pin-locked') { fail({ message: e.message, code: e.code }); return; }
    $('pin-error').textContent = e instanceof CardReaderError ? e.message : 'カードを読み取れませんでした。';
    $('pin-error').dataset.code = e.code ?? 'unexpected';
    $('pin-error').hidden = false;
    return;
  }
  $('wait-title').textContent = '確認しています';
  $('wait-text').textContent = 'しばらくお待ちください。';
  show('wait');
  try {
    const menu = await api('/api/session', { transaction: state.transaction, certificate: proof.certificate, signature: proof.signature });
    if (!menu.open) { fail({ message: menu.closedReason ?? 'ただいまの時間は証明書を交付できません。', code: 'kiosk-closed' }); await api('/api/end', { transaction: state.transaction }).catch(() => {}); return; }
    state.menu = menu;
    renderMenu();
    show('menu');
  } catch (e) { fail(e); }
});

function choice(label, detail, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  const name = document.createElement('span');
  name.textContent = label;
  button.append(name);
  if (detail) { const fee = document.createElement('span'); fee.className = 'fee'; fee.textContent = detail; button.append(fee); }
  button.addEventListener('click', onClick);
  return button;
}

function renderMenu() {
  $('menu-ward').textContent = state.menu.municipalityName;
  $('menu-items').replaceChildren(...state.menu.items.map((item) => {
    const button = choice(item.name, `1通 ${yen(item.feeYen)}`, () => chooseKind(item));
    button.dataset.kind = item.kind;
    return button;
  }));
}

function chooseKind(item) {
  state.item = item;
  if (item.kind === 'juminhyo') {
    $('option-title').textContent = '記載する範囲を選んでください';
    $('option-items').replaceChildren(
      choice('世帯全員', '', () => chooseOption(true, null, '世帯全員')),
      choice('本人のみ', '', () => chooseOption(false, null, '本人のみ')));
    for (const [i, code] of ['household', 'self'].entries()) $('option-items').children[i].dataset.option = code;
    show('option');
  } else if (item.fiscalYears && item.fiscalYears.length > 0) {
    $('option-title').textContent = '年度を選んでください';
    $('option-items').replaceChildren(...item.fiscalYears.map((year) => {
      const button = choice(fiscalYearName(year), '', () => chooseOption(false, year, fiscalYearName(year)));
      button.dataset.option = String(year);
      return button;
    }));
    show('option');
  } else chooseOption(false, null, '本人');
}

$('option-back').addEventListener('click', () => show('menu'));

function chooseOption(wholeHousehold, fiscalYear, text) {
  Object.assign(state, { wholeHousehold, fiscalYear, optionText: text });
  $('confirm-kind').textContent = state.item.name ?? KIND_NAMES[state.item.kind];
  $('confirm-option').textContent = text;
  $('confirm-fee').textContent = yen(state.item.feeYen);
  show('confirm');
}

$('confirm-back').addEventListener('click', () => show('menu'));
$('confirm-ok').addEventListener('click', () => {
  state.paid = 0;
  $('pay-fee').textContent = yen(state.item.feeYen);
  renderPaid();
  show('pay');
});

function renderPaid() {
  $('pay-paid').textContent = yen(state.paid);
  $('pay-ok').disabled = state.paid < state.item.feeYen;
}

for (const coin of document.querySelectorAll('[data-coin]')) coin.addEventListener('click', () => {
  state.paid += Number(coin.dataset.coin);
  renderPaid();
});

$('pay-cancel').addEventListener('click', () => {
  const { paid, transaction } = state;
  fail({ message: '取引を取り消しました。', code: 'cancelled', refundYen: paid });
  api('/api/end', { transaction }).catch(() => {});
});

$('pay-ok').addEventListener('click', async () => {
  $('pay-ok').disabled = true;
  try {
    await api('/api/order', { transaction: state.transaction, kind: state.item.kind, wholeHousehold: state.wholeHousehold, fiscalYear: state.fiscalYear, paidYen: state.paid });
    state.ordered = true;
    show('take-card');
  } catch (e) {
    $('pay-error').textContent = e.message;
    $('pay-error').hidden = false;
    renderPaid();
  }
});

$('take-card').addEventListener('click', async () => {
  ejectCard();
  $('wait-title').textContent = '印刷しています';
  $('wait-text').textContent = '証明書を印刷しています。しばらくお待ちください。';
  show('wait');
  try {
    const printed = await api('/api/card-removed', { transaction: state.transaction });
    $('done-fee').textContent = yen(printed.feeYen);
    $('done-change').textContent = yen(printed.changeYen);
    $('done-output').setAttribute('href', printed.document);
    show('done');
  } catch (e) { fail(e); }
});

$('done-output').addEventListener('click', () => {
  // The download takes the document from the terminal's tray (once); then everything of the transaction is dropped here too.
  setTimeout(() => {
    state = fresh();
    clearScreen();
    show('thanks');
    setTimeout(() => { if (document.body.dataset.screen === 'thanks') show('welcome'); }, 4000);
  }, 300);
});

$('error-ok').addEventListener('click', () => { clearScreen(); show('welcome'); });

// ------------------------------------------------------------------ start

(async () => {
  ejectCard();
  show('welcome');
  try {
    const response = await fetch('/api/terminal');
    if (response.ok) {
      const terminal = await response.json();
      $('location').textContent = terminal.location;
      idleSeconds = terminal.idleSeconds;
    }
  } catch { /* the header stays empty */ }
})();
