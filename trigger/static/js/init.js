// Start GOV.UK Frontend's components and Trigger's small enhancements.
//
// Loaded as <script type="module">: only browsers that support ES modules run
// it, which is exactly the set GOV.UK Frontend supports. Every page works
// without it; this only adds behaviour on top. No inline script is needed, so
// the Content-Security-Policy can stay at script-src 'self'.
import { initAll } from './govuk-frontend.min.js'

// GOV.UK's template sets these from an inline script; ours is a module, which
// already implies a supported browser. initAll() checks for the second class.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Confirm before submitting: <form data-confirm="Delete this note?"> or
// <button data-confirm="..."> (the button's message wins, so one form can hold
// several actions). The server still shows its own confirmation page where an
// action matters; this just saves a round trip for people with JavaScript.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement)) return
  const submitter = event.submitter
  const message =
    (submitter && submitter.dataset && submitter.dataset.confirm) || form.dataset.confirm
  if (message && !window.confirm(message)) {
    event.preventDefault()
  }
})

// Passkeys: only pages with passkey buttons are affected (they stay hidden without support).
import('./passkeys.js')

// After "Add another incident" (or report) the page comes back at the new fields (the button's formaction
// carries their #incident-N fragment); put the keyboard focus on the first of them too, so nobody has to find
// their place again.
// The browser's own scroll to the fragment, after loading, moves the focus back to the page: focus afterwards.
function focusNewEntry () {
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1))
  if (!target || !target.matches('fieldset.app-entry, fieldset[id^="incident-"]')) return
  const first = target.querySelector('input:not([type=hidden]), select, textarea')
  if (first) first.focus()
}
if (document.readyState === 'complete') {
  window.setTimeout(focusNewEntry, 0)
} else {
  window.addEventListener('load', () => window.setTimeout(focusNewEntry, 0))
}
