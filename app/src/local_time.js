// Rewrites every <time data-local datetime="…Z"> in the viewer's own time zone, in place (the
// text node is kept, so hydration finds what it rendered), including ones added later.
(() => {
  const format = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  const localise = () => {
    for (const el of document.querySelectorAll("time[data-local]:not([data-localised])")) {
      const at = new Date(el.getAttribute("datetime"));
      const text = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE);
      if (Number.isNaN(at.getTime()) || !text) continue;
      el.title = text.data;
      text.data = format.format(at);
      el.setAttribute("data-localised", "");
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    localise();
    new MutationObserver(localise).observe(document.body, { childList: true, subtree: true });
  });
})();
