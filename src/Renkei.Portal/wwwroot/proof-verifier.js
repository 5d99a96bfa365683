// Verifies a provision record's inclusion proof in the browser (WebCrypto only), step by step:
//   1. the leaf data (the exact bytes the network hashed) says what the page shows for the record;
//   2. leaf hash = SHA-256(0x00 ‖ leaf data) (RFC 9162 §2.1.1);
//   3. the audit path leads from the leaf to the signed tree head's root (RFC 9162 §2.1.3.2 — a port of
//      Renkei.Core.Audit.MerkleTree.VerifyInclusion);
//   4. the tree head's ECDSA P-256 / SHA-256 signature (IEEE P1363) over
//      "renkei/network/provision-records/tree-head/v1\n" size "\n" root "\n" signedAt (Unix ms) verifies under the network's
//      key (the key the portal's operator pinned, when the page names one).
//   5. the names the page shows (institutions, affair, kind), the result text, the time and the record number are what
//      the leaf says, the names through the network's signed name table (checked under the same key);
// and, in history.js, that the signed head extends the head this browser verified last (verifyConsistency: RFC 9162
// §2.1.4.2, a port of Renkei.Core.Audit.MerkleTree.VerifyConsistency).
// verifyRecordProof(proof, shown, pinnedKey, nameTable) → { ok, steps: [{ name, ok, detail }] }; it never throws for bad input.

const LABEL = 'renkei/network/provision-records/tree-head/v1';
const NAME_TABLE_LABEL = 'renkei/network/name-table/v1';

const utf8 = (text) => new TextEncoder().encode(text);

function fromBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function fromHex(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) throw new Error('ハッシュの形式が正しくありません');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buffer = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { buffer.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
}

export const hashLeaf = (data) => sha256(Uint8Array.of(0), data);
export const hashChildren = (left, right) => sha256(Uint8Array.of(1), left, right);

/** RFC 9162 §2.1.3.2 with BigInt indexes: the root the path leads to, or null when the path does not fit the tree size. */
export async function rootFromPath(leafHash, index, size, path) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn < 0n || fn > sn) return null;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/**
 * An ISO 8601 instant as System.Text.Json and .NET's "O" format write it (any number of fraction digits, Z or ±hh:mm)
 * → { ticks: BigInt of 100 ns since 1970, ms: Unix milliseconds rounded down }. Null when it is not one.
 */
export function parseInstant(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/.exec(text ?? '');
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction = '', zone] = m;
  let seconds = BigInt(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 1000);
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    seconds -= sign * (BigInt(+zone.substr(1, 2)) * 3600n + BigInt(+zone.substr(4, 2)) * 60n);
  }
  const ticks = seconds * 10_000_000n + BigInt(fraction.padEnd(7, '0') || '0');
  const ms = ticks >= 0n ? ticks / 10_000n : -((-ticks + 9_999n) / 10_000n);
  return { ticks, ms };
}

/** RFC 9162 §2.1.4.2: true when path proves the tree of newSize (root newRoot) extends the tree of oldSize (root oldRoot). */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, path) {
  let m = BigInt(oldSize);
  const n = BigInt(newSize);
  if (m < 0n || m > n) return false;
  if (m === n) return path.length === 0 && toHex(oldRoot) === toHex(newRoot);
  if (m === 0n) return path.length === 0;
  if (path.length === 0) return false;
  const nodes = (m & (m - 1n)) === 0n ? [oldRoot, ...path] : [...path];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = nodes[0];
  let sr = nodes[0];
  for (const c of nodes.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await hashChildren(c, fr);
      sr = await hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = await hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && toHex(fr) === toHex(oldRoot) && toHex(sr) === toHex(newRoot);
}

export { fromHex, toHex };

// The Japanese eras from their first day (Renkei.Core.Dates.JapaneseEraDate; .NET's JapaneseCalendar).
const ERAS = [['令和', 2019, 5, 1], ['平成', 1989, 1, 8], ['昭和', 1926, 12, 25], ['大正', 1912, 7, 30], ['明治', 1868, 1, 1]];

/** An instant as the portal writes it for residents (PortalText.EraDateTime): Japan time, e.g. 令和8年12月6日 09:05. */
export function eraDateTime(iso) {
  const instant = parseInstant(iso);
  if (!instant) return null;
  const japan = new Date(Number(instant.ms) + 9 * 3600 * 1000);
  const y = japan.getUTCFullYear(), mo = japan.getUTCMonth() + 1, d = japan.getUTCDate();
  const day = Date.UTC(y, mo - 1, d);
  const era = ERAS.find(([, ey, em, ed]) => day >= Date.UTC(ey, em - 1, ed));
  if (!era) return null;
  const year = era[0] === '明治' ? y - 1867 : y - era[1] + 1;
  const two = (v) => String(v).padStart(2, '0');
  return `${era[0]}${year === 1 ? '元' : year}年${mo}月${d}日 ${two(japan.getUTCHours())}:${two(japan.getUTCMinutes())}`;
}

// 結果 as the page writes it (PortalText.Result), by the leaf's result code.
const RESULT_TEXT = { provided: '提供', notHeld: '該当なし', refused: '提供拒否', providerUnavailable: '提供者応答なし' };

async function verifySignature(keyBase64, signatureBase64, text) {
  try {
    const key = await crypto.subtle.importKey('spki', fromBase64(keyBase64), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64(signatureBase64), utf8(text));
  } catch {
    return false;
  }
}

/** The name table if its signature verifies under keyBase64, else null. */
async function openNameTable(signed, keyBase64) {
  if (!signed || typeof signed.table !== 'string' || signed.networkPublicKey !== keyBase64) return null;
  if (!await verifySignature(keyBase64, signed.signature, `${NAME_TABLE_LABEL}\n${signed.table}`)) return null;
  try {
    const table = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(signed.table)));
    const map = (list) => new Map((list ?? []).map((n) => [n.code, n.name]));
    return { version: table.version, institutions: map(table.institutions), affairs: map(table.affairs), kinds: map(table.kinds) };
  } catch {
    return null;
  }
}

async function fingerprint(spkiBase64) {
  const hex = toHex(await sha256(fromBase64(spkiBase64)));
  return hex.match(/.{2}/g).slice(0, 16).join(':');
}

// What the page shows, compared with the leaf data, field by field (Japanese label, leaf key, page value).
const FIELDS = [
  ['記録番号', 'sequence', (s) => String(s.sequence)],
  ['日時', 'recordedAt', (s) => s.recordedAt],
  ['照会機関', 'inquirer', (s) => s.inquirer],
  ['提供機関', 'provider', (s) => s.provider],
  ['事務', 'affair', (s) => s.affair],
  ['情報', 'kind', (s) => s.kind],
  ['結果', 'result', (s) => s.result],
];

/**
 * proof: the network's RecordProof (camelCase JSON); shown: the row's fields as the page shows them (sequence,
 * recordedAt ISO, requestId, inquirer, provider, affair, kind, result, refusalCode, and words: the texts of the row's
 * cells sequence, when, inquirer, provider, affair, kind, result); pinnedKey: base64 SPKI or ''/null; nameTable: the
 * network's SignedNameTable (camelCase JSON).
 */
export async function verifyRecordProof(proof, shown, pinnedKey, nameTable) {
  const steps = [];
  const step = (name, ok, detail) => { steps.push({ name, ok, detail }); return ok; };
  const done = () => ({ ok: steps.length > 0 && steps.every((s) => s.ok), steps });
  try {
    // 1. The leaf data says what the page shows.
    let leafBytes;
    let leaf;
    try {
      leafBytes = fromBase64(proof.leafData);
      leaf = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leafBytes));
    } catch {
      step('表示内容との照合', false, '証明の記録データ（LeafData）を読み取れません。');
      return done();
    }
    const mismatched = [];
    for (const [label, key, value] of FIELDS) {
      const expected = value(shown);
      const actual = key === 'sequence' ? String(leaf[key]) : leaf[key];
      const same = key === 'recordedAt'
        ? parseInstant(actual)?.ticks === parseInstant(expected)?.ticks && parseInstant(actual) !== null
        : actual === expected;
      if (!same) mismatched.push(label);
    }
    if (leaf.requestId !== shown.requestId) mismatched.push('処理番号');
    if ((leaf.refusalCode ?? '') !== (shown.refusalCode ?? '')) mismatched.push('拒否理由');
    if (!step('表示内容との照合', mismatched.length === 0, mismatched.length === 0
      ? '記録データの記録番号・日時・照会機関・提供機関・事務・情報・結果が、この画面の表示と一致しました。'
      : `記録データと画面の表示が一致しません（${mismatched.join('、')}）。`)) return done();

    // 2. The leaf hash.
    const leafHash = await hashLeaf(leafBytes);
    step('記録のハッシュ値の計算', true, `SHA-256(0x00 ‖ 記録データ) = ${toHex(leafHash)}`);

    // 3. The audit path up to the signed root.
    const head = proof.treeHead;
    const sequence = BigInt(shown.sequence);
    if (!step('木の中の位置', BigInt(proof.leafIndex) === sequence - 1n && BigInt(proof.leafIndex) < BigInt(head.treeSize),
      `記録番号 ${shown.sequence} は、記録 ${head.treeSize} 件の木の ${BigInt(proof.leafIndex) + 1n} 番目の葉です。`)) return done();
    let path;
    try {
      path = proof.auditPath.map(fromHex);
    } catch {
      step('監査パスの検証', false, '監査パスの形式が正しくありません。');
      return done();
    }
    const root = await rootFromPath(leafHash, proof.leafIndex, head.treeSize, path);
    const rootOk = root !== null && toHex(root) === head.rootHash;
    if (!step('監査パスの検証', rootOk, rootOk
      ? `${path.length} 個の兄弟ノードのハッシュから根を計算し、署名付きツリーヘッドの根 ${head.rootHash} と一致しました。`
      : `監査パスから計算した根（${root ? toHex(root) : '計算できません'}）が、署名付きツリーヘッドの根 ${head.rootHash} と一致しません。`)) return done();

    // 4. The tree head's signature under the network's key.
    const keyBase64 = pinnedKey || head.networkPublicKey;
    const print = await fingerprint(keyBase64);
    if (pinnedKey && head.networkPublicKey !== pinnedKey) {
      step('署名の検証', false, `ツリーヘッドの鍵がこのポータルに登録されたネットワークの公開鍵（指紋 ${print}）と異なります。`);
      return done();
    }
    const signedAt = parseInstant(head.signedAt);
    if (!signedAt) {
      step('署名の検証', false, 'ツリーヘッドの署名時刻を読み取れません。');
      return done();
    }
    const signedText = `${LABEL}\n${head.treeSize}\n${head.rootHash}\n${signedAt.ms}`;
    const valid = await verifySignature(keyBase64, head.signature, signedText);
    if (!step('署名の検証', valid, valid
      ? `情報提供ネットワークシステムの公開鍵（指紋 ${print}${pinnedKey ? '、登録済みの鍵' : ''}）で、ツリーヘッドの ECDSA P-256 署名を確認しました。`
      : `ツリーヘッドの署名が、ネットワークの公開鍵（指紋 ${print}）で確認できません。`)) return done();

    // 5. What the page shows in words is what the leaf says: names through the signed name table.
    const names = await openNameTable(nameTable, keyBase64);
    if (!step('名称表の署名', names !== null, names
      ? `名称表（版 ${names.version}）の署名を、同じネットワークの公開鍵で確認しました。`
      : '名称表の署名を、ネットワークの公開鍵で確認できません。')) return done();
    const words = shown.words ?? {};
    const expected = [
      ['記録番号', words.sequence, String(leaf.sequence)],
      ['日時', words.when, eraDateTime(leaf.recordedAt)],
      ['照会機関', words.inquirer, names.institutions.get(leaf.inquirer) ?? leaf.inquirer],
      ['提供機関', words.provider, names.institutions.get(leaf.provider) ?? leaf.provider],
      ['事務', words.affair, names.affairs.get(leaf.affair) ?? leaf.affair],
      ['情報', words.kind, names.kinds.get(leaf.kind) ?? leaf.kind],
      ['結果', words.result, RESULT_TEXT[leaf.result] ?? leaf.result],
    ];
    const differing = expected.filter(([, seen, want]) => (seen ?? '').trim() !== want).map(([label]) => label);
    step('表示名称との照合', differing.length === 0, differing.length === 0
      ? '画面の記録番号・日時・機関名・事務名・情報名・結果が、記録データと署名付き名称表のとおりであることを確認しました。'
      : `画面の表示が記録データ・署名付き名称表と一致しません（${differing.join('、')}）。`);
    return done();
  } catch {
    step('検証', false, '証明を検証できませんでした。');
    return done();
  }
}
