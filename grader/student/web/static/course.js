// "Check my work": grade the lesson on the server, show the verdicts, update the sidebar's progress.
"use strict";

function showProgress(progress) {
  document.getElementById("passed").textContent = progress.passed;
  document.getElementById("bar").value = progress.passed;
  for (const lesson of progress.lessons) {
    const item = document.querySelector(`li[data-lesson="${lesson.lesson}"]`);
    if (item) {
      item.dataset.state = lesson.state;
      item.title = lesson.label;
    }
  }
}

function say(panel, state, text) {
  panel.hidden = false;
  panel.dataset.state = state;
  panel.textContent = text;
}

async function check(button, panel) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = "Checking…";
  say(panel, "checking", "Checking your work…");
  try {
    const response = await fetch(button.dataset.url, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: "{}",
    });
    const result = await response.json();
    if (result.html) {
      panel.dataset.state = result.report.passed ? "passed" : "failed";
      panel.innerHTML = result.html;  // built by the grader, every piece of the student's text escaped
      if (result.warning) {
        const note = document.createElement("p");
        note.className = "warning";
        note.textContent = result.warning;
        panel.append(note);
      }
    } else {
      say(panel, "error", result.error);
    }
    if (result.progress) {
      showProgress(result.progress);
    }
  } catch (error) {
    say(panel, "error", `The check could not run: ${error}`);
  } finally {
    button.disabled = false;
    button.textContent = label;
    panel.scrollIntoView({block: "start"});
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("check");
  const panel = document.getElementById("verdicts");
  if (button && panel) {
    button.addEventListener("click", () => check(button, panel));
  }
});
