/* Signing a complaint with NCALayer (the NCA's local application, a websocket on the citizen's computer).
 *
 * The page holds the canonical document (base64) in [data-ncalayer-sign]. The button asks NCALayer's basics module
 * to sign it as detached CMS with a signing key (extended key usage: e-mail protection, which NCA SIGN certificates
 * carry and AUTH ones do not); the signature goes with the document and the form's token to the submit view, which
 * verifies it. Messages for the citizen come from the page's <template data-message> elements (page language).
 * No build step, no CDN.
 */
(function () {
  "use strict";

  var STORAGES = ["PKCS12", "AKKaztokenStore", "AKKZIDCardStore", "AKEToken72KStore", "AKJaCartaStore"];
  var SIGN_KEY_USAGE = "1.3.6.1.5.5.7.3.4";

  function SigningError(kind, detail) {
    this.kind = kind; // "not-running" | "cancelled" | "failed"
    this.detail = detail || "";
  }

  function signRequest(documentBase64, locale) {
    return {
      module: "kz.gov.pki.knca.basics",
      method: "sign",
      args: {
        allowedStorages: STORAGES,
        format: "cms",
        data: documentBase64,
        signingParams: { decode: true, encapsulate: false, digested: false, tsaProfile: {} },
        signerParams: { extKeyUsageOids: [SIGN_KEY_USAGE] },
        locale: locale === "ru" ? "ru" : "kk"
      }
    };
  }

  /* The signature (base64 CMS) from a basics-module response; throws SigningError otherwise. */
  function signatureFrom(response) {
    if (!response.status) {
      var detail = [response.code, response.message || response.details].filter(Boolean).join(": ");
      throw new SigningError("failed", detail);
    }
    var result = response.body && response.body.result;
    if (Array.isArray(result)) { result = result[0]; }
    if (!result) { throw new SigningError("cancelled"); } // an empty body: the citizen closed the window
    return result;
  }

  function sign(url, documentBase64, locale) {
    return new Promise(function (resolve, reject) {
      var settled = false;
      var opened = false;
      var socket;
      function finish(action, value) {
        if (settled) { return; }
        settled = true;
        try { socket.close(); } catch (ignored) { /* already closed */ }
        action(value);
      }
      try {
        socket = new WebSocket(url);
      } catch (error) {
        reject(new SigningError("not-running", String(error)));
        return;
      }
      socket.onopen = function () {
        opened = true;
        socket.send(JSON.stringify(signRequest(documentBase64, locale)));
      };
      socket.onmessage = function (event) {
        var response;
        try { response = JSON.parse(event.data); } catch (error) {
          finish(reject, new SigningError("failed", "not JSON"));
          return;
        }
        if (!("status" in response)) { return; } // NCALayer's greeting ({"result": {"version": ...}})
        try { finish(resolve, signatureFrom(response)); } catch (error) { finish(reject, error); }
      };
      socket.onerror = function () {
        finish(reject, new SigningError(opened ? "failed" : "not-running"));
      };
      socket.onclose = function () {
        finish(reject, new SigningError(opened ? "failed" : "not-running", opened ? "closed" : ""));
      };
    });
  }

  function setUp(box) {
    var button = box.querySelector("[data-sign-button]");
    var status = box.querySelector("[data-sign-status]");
    var errorBox = box.querySelector("[data-sign-error]");
    var form = box.querySelector("[data-sign-form]");
    function message(name) {
      var template = box.querySelector('template[data-message="' + name + '"]');
      return template ? template.content.textContent.trim() : name;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      errorBox.hidden = true;
      status.textContent = message("connecting");
      sign(box.dataset.url, box.dataset.document, box.dataset.locale).then(function (signature) {
        status.textContent = message("sending");
        form.elements.signature.value = signature;
        form.submit();
      }, function (error) {
        var kind = error instanceof SigningError ? error.kind : "failed";
        var text = message(kind);
        if (kind === "failed" && error.detail) { text += " " + error.detail; }
        status.textContent = "";
        errorBox.textContent = text;
        errorBox.dataset.kind = kind;
        errorBox.hidden = false;
        button.disabled = false;
      });
    });
  }

  document.querySelectorAll("[data-ncalayer-sign]").forEach(setUp);
  window.BailanysNcaLayer = { sign: sign, signRequest: signRequest, signatureFrom: signatureFrom };
})();
