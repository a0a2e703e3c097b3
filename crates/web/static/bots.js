// Owner suggestions for the bot pages: inputs with data-candidates="<bot id>" get their
// <datalist> filled from the owner-candidates API as the admin types. Without this script
// the inputs still work: the server resolves an email or a unique full name.

for (const input of document.querySelectorAll("input[data-candidates]")) {
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
      const bot = encodeURIComponent(input.dataset.candidates);
      try {
        const res = await fetch(`/api/v1/bots/${bot}/owner-candidates?q=${encodeURIComponent(q)}`, {
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
