// Verifies a provision record's inclusion proof in the browser (WebCrypto only), step by step:
//   1. the leaf data (the exact bytes the network hashed) says what the page shows for the record;
//   2. leaf hash = SHA-256(0x00 ‖ leaf data) (RFC 9162 §2.1.1);
//   3. the audit path leads from the leaf to the signed tree head's root (RFC 9162 §2.1.3.2 — a port of
//      Renkei.Core.Audit.MerkleTree.VerifyInclusion);
//   4. the tree head's ECDSA P-256 / SHA-256 signature (IEEE P1363) over
//      "renkei/network/provision-records/tree-head/v1\n" size "\n" root "\n" signedAt (Unix ms) verifies under the network's
//      key (the key the portal's operator pinned, when the page names one).
// verifyRecordProof(proof, shown, pinnedKey) → { ok, steps: [{ name, ok, detail }] }; it never throws for bad input.

const LABEL = 'renkei/network/provision-records/tree-head/v1';

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
 * recordedAt ISO, requestId, inquirer, provider, affair, kind, result, refusalCode); pinnedKey: base64 SPKI or ''/null.
 */
export async function verifyRecordProof(proof, shown, pinnedKey) {
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
    let valid = false;
    try {
      const key = await crypto.subtle.importKey('spki', fromBase64(keyBase64), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64(head.signature), utf8(signedText));
    } catch {
      valid = false;
    }
    step('署名の検証', valid, valid
      ? `情報提供ネットワークシステムの公開鍵（指紋 ${print}${pinnedKey ? '、登録済みの鍵' : ''}）で、ツリーヘッドの ECDSA P-256 署名を確認しました。`
      : `ツリーヘッドの署名が、ネットワークの公開鍵（指紋 ${print}）で確認できません。`);
    return done();
  } catch {
    step('検証', false, '証明を検証できませんでした。');
    return done();
  }
}
