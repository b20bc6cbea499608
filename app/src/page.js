// The page's own small script (it runs before, and without, the WebAssembly).
//
// Shows every <time data-local datetime="…Z"> in the viewer's own time zone, keeping the UTC
// time as its tooltip. The text node is rewritten in place (so hydration finds the node it
// rendered), and again whenever the page re-renders one (its text goes back to UTC).
(() => {
  const local = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  const utc = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  });
  const localise = () => {
    for (const el of document.querySelectorAll("time[data-local]")) {
      const at = new Date(el.getAttribute("datetime"));
      const text = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE);
      if (Number.isNaN(at.getTime()) || !text) continue;
      const shown = local.format(at);
      if (text.data !== shown) text.data = shown;
      const title = `${utc.format(at)} UTC`;
      if (el.title !== title) el.title = title;
      if (!el.hasAttribute("data-localised")) el.setAttribute("data-localised", "");
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    localise();
    new MutationObserver(localise).observe(document.body, {
      childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ["datetime"],
    });
  });
})();

// A filter form sent by GET leaves out the fields left empty, so shared addresses read
// `/projects?stage=build`, not `/projects?q=&stage=build&tier=`. (The server tidies the
// address the same way when JavaScript is off.)
document.addEventListener("formdata", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "get") return;
  for (const [name, value] of Array.from(event.formData.entries())) {
    if (name === "" || value === "") event.formData.delete(name);
  }
}, true);
