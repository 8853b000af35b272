// Saves the answers on an assessment page a moment after each change, so little is lost
// if the browser closes. The page works the same without it: each button is a form post.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var sequence = form.querySelector("input[name=sequence]");
  var timer = null;
  var inFlight = null;
  var stopped = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    timer = null;
    if (stopped) {
      return Promise.resolve();
    }
    var data = new FormData(form);
    data.set("action", "autosave");
    inFlight = fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            sequence.value = body.sequence;
            say("Answers saved at " + body.saved_at + ".");
          } else {
            stopped = response.status === 409;
            say(body.message);
          }
        });
      })
      .catch(function () {
        say("Could not save automatically; your answers are saved when you press a button.");
      })
      .then(function () {
        inFlight = null;
      });
    return inFlight;
  }

  function schedule() {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(save, 1500);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
  form.addEventListener("submit", function (event) {
    // A button press saves too; let any automatic save finish first so the page's
    // sequence number is the latest one.
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (inFlight) {
      event.preventDefault();
      var submitter = event.submitter;
      inFlight.then(function () {
        form.requestSubmit(submitter);
      });
    }
  });
})();
