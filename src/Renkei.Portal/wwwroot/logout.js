// Logging out takes the card out of the reader: the card file this browser keeps for the in-page card reader is removed
// before the session ends, so the next person at this browser finds no card. (The tree heads history.js keeps stay:
// they hold sizes, roots and signatures only, and are what lets this browser notice a log that was rewritten.)
import { ejectCard } from './card-reader.js';

document.querySelector('form.logout')?.addEventListener('submit', () => ejectCard());
