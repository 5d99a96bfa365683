// The in-page card reader (カードリーダー) for Renkei's software card (renkei-software-card/1).
//
// A software card file stands for the chip of an individual number card (see Renkei.Core.Cards.SoftwareCard). This
// module "inserts" such a file into the browser — it is kept in localStorage as the reader's inserted card, with its
// retry counters — and signs with its JPKI keys exactly by the card's rules:
//   PIN key = PBKDF2-HMAC-SHA256(PIN, SHA-256("renkei/card/pin-key/v1|" app "|" ‖ card secret ‖ salt), iterations, 32 bytes)
//   data key = AES-256-GCM-open(PIN key, wrappedKey, aad = "renkei-software-card/1|" cardNumber "|" app "|key")
//   private key (PKCS#8) = AES-256-GCM-open(data key, content, aad = "…|" app "|content")
//   signature = RSASSA-PKCS1-v1_5 with SHA-256
// Retry counters: before a PIN is tried the counter goes down and the card is saved; a right PIN puts it back to the
// maximum; at 0 the application is locked and even the right PIN is refused (only the municipal counter unlocks it).
// A PIN of the wrong form is not a try. The PIN and the keys never leave this page; only the signature and the
// certificate (base64 DER) are returned.
//
// Honest limits: the counters live in this browser's copy of the card file. Whoever has the file can insert a fresh
// copy (resetting the counters) or try PINs offline against it. A real chip keeps keys and counters in hardware.

const STORAGE_KEY = 'renkei.card-reader.inserted-card';
const FORMAT = 'renkei-software-card/1';
const MAX_ATTEMPTS = { 'user-authentication': 3, 'signing': 5, 'text-entry-support': 3, 'resident-registry': 3 };
const MAX_FILE_LENGTH = 200_000;

export const USER_AUTHENTICATION = 'user-authentication';
export const SIGNING = 'signing';

/** What went wrong, with a Japanese message for the page. code: no-card | card-damaged | pin-format | wrong-pin | pin-locked | no-such-application | no-certificate | no-webcrypto */
export class CardReaderError extends Error {
  constructor(code, message, remainingAttempts = null) {
    super(message);
    this.name = 'CardReaderError';
    this.code = code;
    this.remainingAttempts = remainingAttempts;
  }
}

const LOCKED_USER = '暗証番号がロックされています。お住まいの市区町村の窓口で暗証番号の再設定を行ってください';
const LOCKED_SIGNING = '署名用電子証明書のパスワードがロックされています。お住まいの市区町村の窓口でパスワードの再設定を行ってください';

function lockedMessage(kind) { return kind === SIGNING ? LOCKED_SIGNING : LOCKED_USER; }

function pinName(kind) { return kind === SIGNING ? '署名用電子証明書のパスワード' : '暗証番号'; }

// ------------------------------------------------------------------ bytes

function fromBase64(text) {
  if (typeof text !== 'string') throw damaged();
  let binary;
  try { binary = atob(text); } catch { throw damaged(); }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

const utf8 = (text) => new TextEncoder().encode(text);

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function damaged() {
  return new CardReaderError('card-damaged', 'カードを読み取れません（Renkei の個人番号カードのファイルではないか、壊れています）。');
}

function subtle() {
  if (!globalThis.crypto || !globalThis.crypto.subtle) {
    throw new CardReaderError('no-webcrypto', 'このブラウザではカードを利用できません（安全な接続 https または localhost で開いてください）。');
  }
  return globalThis.crypto.subtle;
}

// ------------------------------------------------------------------ the inserted card

function isCiphertext(c) {
  return c && typeof c.nonce === 'string' && typeof c.data === 'string' && typeof c.tag === 'string';
}

function validate(doc) {
  if (!doc || typeof doc !== 'object' || doc.format !== FORMAT || typeof doc.cardNumber !== 'string'
      || typeof doc.cardSecret !== 'string' || !doc.face || typeof doc.applications !== 'object' || doc.applications === null) {
    throw damaged();
  }
  for (const [name, app] of Object.entries(doc.applications)) {
    const max = MAX_ATTEMPTS[name];
    if (!max || !app || app.maxAttempts !== max || !Number.isInteger(app.remaining) || app.remaining < 0 || app.remaining > max
        || typeof app.salt !== 'string' || !Number.isInteger(app.iterations) || app.iterations < 10_000 || app.iterations > 10_000_000
        || !isCiphertext(app.wrappedKey) || !isCiphertext(app.content) || !app.issuerWrappedKey) {
      throw damaged();
    }
  }
  return doc;
}

function load() {
  const text = globalThis.localStorage.getItem(STORAGE_KEY);
  if (!text) return null;
  try { return validate(JSON.parse(text)); } catch { throw damaged(); }
}

function save(doc) {
  globalThis.localStorage.setItem(STORAGE_KEY, JSON.stringify(doc));
  globalThis.dispatchEvent(new CustomEvent('renkei-card-changed'));
}

/** Inserts a card file (a File from an <input type=file>): checks its form and keeps it as the reader's card. */
export async function insertCard(file) {
  if (!file || file.size > MAX_FILE_LENGTH) throw damaged();
  const text = await file.text();
  let doc;
  try { doc = JSON.parse(text); } catch { throw damaged(); }
  save(validate(doc));
  return describe(doc);
}

/** Removes the card from the reader (its counters go with it). */
export function ejectCard() {
  globalThis.localStorage.removeItem(STORAGE_KEY);
  globalThis.dispatchEvent(new CustomEvent('renkei-card-changed'));
}

function describe(doc) {
  const apps = doc.applications;
  return {
    hasSigning: SIGNING in apps,
    remaining: {
      [USER_AUTHENTICATION]: apps[USER_AUTHENTICATION]?.remaining ?? null,
      [SIGNING]: apps[SIGNING]?.remaining ?? null,
    },
  };
}

/** The inserted card's state (which keys, how many tries are left), or null when there is none. Shows no personal data. */
export function insertedCard() {
  try {
    const doc = load();
    return doc ? describe(doc) : null;
  } catch {
    return null;
  }
}

/** Wrong tries left before the application locks (0: locked), or null without a card or application. */
export function remainingAttempts(kind) {
  const card = insertedCard();
  return card ? card.remaining[kind] ?? null : null;
}

// ------------------------------------------------------------------ PINs and keys

function checkPin(kind, pin) {
  if (kind === SIGNING) {
    if (typeof pin !== 'string' || !/^[A-Z0-9]{6,16}$/.test(pin)) {
      throw new CardReaderError('pin-format', '署名用電子証明書のパスワードは英大文字（A～Z）と数字の6～16文字で入力してください。');
    }
  } else if (typeof pin !== 'string' || !/^[0-9]{4}$/.test(pin)) {
    throw new CardReaderError('pin-format', '暗証番号は数字4桁で入力してください。');
  }
}

function aad(doc, kind, part) {
  return utf8(`${FORMAT}|${doc.cardNumber}|${kind}|${part}`);
}

async function derivePinKey(doc, kind, pin, app) {
  const crypto = subtle();
  const salt = fromBase64(app.salt);
  const secret = fromBase64(doc.cardSecret);
  const combined = new Uint8Array(await crypto.digest('SHA-256', concat(utf8(`renkei/card/pin-key/v1|${kind}|`), secret, salt)));
  secret.fill(0);
  const base = await crypto.importKey('raw', utf8(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: combined, iterations: app.iterations }, base, 256);
  return crypto.importKey('raw', bits, 'AES-GCM', false, ['decrypt']);
}

async function gcmOpen(key, sealed, associatedData) {
  const crypto = subtle();
  const nonce = fromBase64(sealed.nonce);
  const tag = fromBase64(sealed.tag);
  if (nonce.length !== 12 || tag.length !== 16) throw damaged();
  const aesKey = key instanceof Uint8Array ? await crypto.importKey('raw', key, 'AES-GCM', false, ['decrypt']) : key;
  const plain = await crypto.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: associatedData, tagLength: 128 }, aesKey,
    concat(fromBase64(sealed.data), tag));
  return new Uint8Array(plain);
}

/** Opens an application's content with its PIN, counting the try (down and saved first; back to the maximum on success). */
async function openApplication(kind, pin) {
  checkPin(kind, pin);
  subtle();
  const doc = load();
  if (!doc) throw new CardReaderError('no-card', 'カードが読み取り機にありません。個人番号カードのファイルを選択してください。');
  const app = doc.applications[kind];
  if (!app) {
    throw new CardReaderError('no-such-application', kind === SIGNING
      ? 'このカードには署名用電子証明書が搭載されていません。'
      : 'このカードには利用者証明用電子証明書が搭載されていません。');
  }
  if (app.remaining <= 0) throw new CardReaderError('pin-locked', lockedMessage(kind), 0);
  app.remaining -= 1;
  save(doc);

  let dataKey;
  try {
    const pinKey = await derivePinKey(doc, kind, pin, app);
    dataKey = await gcmOpen(pinKey, app.wrappedKey, aad(doc, kind, 'key'));
  } catch (e) {
    if (e instanceof CardReaderError) throw e;
    if (app.remaining === 0) {
      throw new CardReaderError('wrong-pin', `${pinName(kind)}が違います。${lockedMessage(kind)}`, 0);
    }
    throw new CardReaderError('wrong-pin', `${pinName(kind)}が違います。あと${app.remaining}回間違えるとロックされます（残り${app.remaining}回）。`,
      app.remaining);
  }
  app.remaining = app.maxAttempts;
  save(doc);
  try {
    return { app, content: await gcmOpen(dataKey, app.content, aad(doc, kind, 'content')) };
  } catch (e) {
    if (e instanceof CardReaderError) throw e;
    throw damaged();
  } finally {
    dataKey.fill(0);
  }
}

async function signWith(kind, pin, bytes) {
  const { app, content } = await openApplication(kind, pin);
  try {
    if (!app.certificate) {
      throw new CardReaderError('no-certificate', 'このカードには電子証明書が格納されていません。お住まいの市区町村の窓口にお問い合わせください。');
    }
    const crypto = subtle();
    const key = await crypto.importKey('pkcs8', content, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const data = typeof bytes === 'string' ? utf8(bytes) : new Uint8Array(bytes);
    const signature = await crypto.sign('RSASSA-PKCS1-v1_5', key, data);
    return { signature: toBase64(signature), certificate: app.certificate };
  } catch (e) {
    if (e instanceof CardReaderError) throw e;
    throw damaged();
  } finally {
    content.fill(0);
  }
}

/** Signs bytes (Uint8Array, ArrayBuffer or a string as UTF-8) with the user-authentication key (利用者証明用, 4-digit PIN). → { signature, certificate } base64 */
export function signWithUserKey(pin, bytes) { return signWith(USER_AUTHENTICATION, pin, bytes); }

/** Signs bytes with the signing key (署名用, password of 6–16 A–Z0–9). → { signature, certificate } base64 */
export function signWithSigningKey(password, bytes) { return signWith(SIGNING, password, bytes); }

// ------------------------------------------------------------------ the reader panel (Pages/Shared/_CardReader.cshtml)

/**
 * Wires a reader panel: [data-reader-file] (file input that inserts a card), [data-reader-status] (what is inserted and
 * how many tries are left), [data-reader-eject] (button that removes it), [data-reader-error] (role=alert).
 */
export function attachReaderPanel(root) {
  if (!root) return;
  const file = root.querySelector('[data-reader-file]');
  const status = root.querySelector('[data-reader-status]');
  const eject = root.querySelector('[data-reader-eject]');
  const error = root.querySelector('[data-reader-error]');
  const render = () => {
    const card = insertedCard();
    if (!card) {
      status.textContent = 'カードが挿入されていません。個人番号カードのファイルを選択してください。';
      if (eject) eject.hidden = true;
      return;
    }
    const user = card.remaining[USER_AUTHENTICATION];
    let text = `カードが挿入されています。利用者証明用暗証番号: ${user === 0 ? 'ロック中' : `残り${user}回`}`;
    if (card.hasSigning) {
      const signing = card.remaining[SIGNING];
      text += `／署名用パスワード: ${signing === 0 ? 'ロック中' : `残り${signing}回`}`;
    }
    status.textContent = text;
    if (eject) eject.hidden = false;
  };
  file?.addEventListener('change', async () => {
    if (error) { error.hidden = true; error.textContent = ''; }
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    try {
      await insertCard(chosen);
    } catch (e) {
      if (error) { error.textContent = e.message; error.hidden = false; }
    }
    file.value = '';
    render();
  });
  eject?.addEventListener('click', () => { ejectCard(); render(); });
  globalThis.addEventListener('renkei-card-changed', render);
  render();
}
