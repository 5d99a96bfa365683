// The e-application's confirmation step: the in-page card reader signs the document's exact UTF-8 bytes (carried base64
// in data-document, so nothing in the page can alter them) with the signing key (署名用電子証明書). The form then posts the
// document, the portal's ticket, the signature and the certificate — never the password.
import { attachReaderPanel, signWithSigningKey, CardReaderError } from '/assets/card-reader.js';

const form = document.getElementById('sign-form');
const password = document.getElementById('signing-password');
const error = document.getElementById('sign-error');
const button = document.getElementById('sign-button');
attachReaderPanel(document.getElementById('card-reader'));

function documentBytes() {
  const binary = atob(form.dataset.document);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  error.textContent = '';
  delete error.dataset.code;
  const value = password.value;
  password.value = '';
  button.disabled = true;
  try {
    const { signature, certificate } = await signWithSigningKey(value, documentBytes());
    document.getElementById('sign-signature').value = signature;
    document.getElementById('sign-certificate').value = certificate;
    form.submit();
  } catch (e) {
    error.textContent = e instanceof CardReaderError ? e.message : 'カードで署名できませんでした。もう一度お試しください。';
    error.dataset.code = e instanceof CardReaderError ? e.code : 'unexpected';
    if (e instanceof CardReaderError && e.remainingAttempts !== null) error.dataset.remaining = String(e.remainingAttempts);
    error.hidden = false;
    button.disabled = false;
    password.focus();
  }
});
