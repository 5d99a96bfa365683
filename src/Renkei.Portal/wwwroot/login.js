// The login page: the card reader signs the portal's challenge with the user-authentication key; the form posts the
// signature and the certificate (never the PIN).
import { attachReaderPanel, signWithUserKey, CardReaderError } from '/assets/card-reader.js';

const form = document.getElementById('login-form');
const pin = document.getElementById('pin');
const error = document.getElementById('login-error');
const button = document.getElementById('login-button');
attachReaderPanel(document.getElementById('card-reader'));

function challengeBytes() {
  const binary = atob(form.dataset.challenge);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  error.textContent = '';
  const value = pin.value;
  pin.value = '';
  button.disabled = true;
  try {
    const { signature, certificate } = await signWithUserKey(value, challengeBytes());
    document.getElementById('login-signature').value = signature;
    document.getElementById('login-certificate').value = certificate;
    form.submit();
  } catch (e) {
    error.textContent = e instanceof CardReaderError ? e.message : 'カードを読み取れませんでした。もう一度お試しください。';
    error.dataset.code = e instanceof CardReaderError ? e.code : 'unexpected';
    error.hidden = false;
    button.disabled = false;
    pin.focus();
  }
});
