// Passkeys (WebAuthn): the browser half of registering one and signing in with one.
//
// The server makes the options and checks every answer (trigger/auth/passkeys.py); this only carries them
// between the server and navigator.credentials, as JSON. Buttons are hidden until this script finds a
// browser that supports passkeys, so nobody sees a button that cannot work.

const supported =
  window.PublicKeyCredential &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
  typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function'

function csrfToken () {
  const field = document.querySelector('input[name=csrf_token]')
  return field ? field.value : ''
}

async function postJSON (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body || {})
  })
  let data = {}
  try { data = await response.json() } catch (error) { data = {} }
  if (!response.ok) throw new Error(data.error || 'Something went wrong. Try again.')
  return data
}

function showError (button, message) {
  const box = button.parentElement.querySelector('[data-passkey-error]')
  if (box) {
    box.textContent = message
    box.hidden = false
  }
}

async function register (button) {
  const options = await postJSON(button.dataset.optionsUrl)
  const credential = await navigator.credentials.create({
    publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)
  })
  const nameField = document.getElementById('name')
  const result = await postJSON(button.dataset.verifyUrl, {
    credential: credential.toJSON(),
    name: nameField ? nameField.value : ''
  })
  window.location.assign(result.redirect)
}

async function signIn (button) {
  const options = await postJSON(button.dataset.optionsUrl)
  const credential = await navigator.credentials.get({
    publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)
  })
  const result = await postJSON(button.dataset.verifyUrl, credential.toJSON())
  window.location.assign(result.redirect)
}

function wire (selector, action) {
  document.querySelectorAll(selector).forEach((button) => {
    button.hidden = false
    button.addEventListener('click', async (event) => {
      event.preventDefault()
      button.disabled = true
      try {
        await action(button)
      } catch (error) {
        showError(button, error.name === 'NotAllowedError'
          ? 'The passkey was not used. Try again, or sign in another way.'
          : error.message)
      } finally {
        button.disabled = false
      }
    })
  })
}

if (supported) {
  document.querySelectorAll('[data-passkey-only]').forEach((element) => { element.hidden = false })
  document.querySelectorAll('[data-passkey-unsupported]').forEach((element) => { element.hidden = true })
  wire('[data-passkey-register]', register)
  wire('[data-passkey-sign-in]', signIn)
}
