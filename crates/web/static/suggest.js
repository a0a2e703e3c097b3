// Suggestions as the admin types: an input with data-suggest="<API path>" and list="<id>"
// gets its <datalist> filled from `<API path>?q=<typed>` (an answer of {items: [{email,
// name}]}): the bot pages' owner candidates, the audit log's people. Without this script
// the inputs still work: the server resolves an email or a unique full name.

for (const input of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) continue;
  let timer;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      // One or two letters cannot use the trigram index and would scan a large account;
      // wait for the third.
      if (q === asked || (q.length > 0 && q.length < 3)) return;
      asked = q;
      try {
        const res = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(q)}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!res.ok) return;
        const body = await res.json();
        list.replaceChildren(
          ...body.items.map((c) => {
            const option = document.createElement("option");
            option.value = c.email;
            option.label = c.name;
            return option;
          }),
        );
      } catch {
        // Suggestions are a convenience; typing an email still works.
      }
    }, 200);
  });
}
