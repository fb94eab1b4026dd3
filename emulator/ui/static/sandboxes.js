/* Sandboxes page: create an Okta user through the sandbox API; list the Contacts sandbox's contacts. */
"use strict";

(() => {
  const { el } = Ui;
  const userForm = document.getElementById("okta-user-form");
  const created = document.getElementById("okta-created");
  const searchForm = document.getElementById("contacts-search");
  const contactsBody = document.getElementById("contacts-body");

  async function loadSandboxes() {
    const data = await Api.get("/api/sandboxes");
    for (const s of data.sandboxes) {
      const link = document.getElementById(`${s.name}-url`);
      if (link) { link.textContent = s.url; link.href = s.url; }
    }
  }

  async function loadContacts() {
    const query = document.getElementById("contacts-query").value.trim();
    const data = await Api.get(`/api/sandboxes/contacts/contacts${query ? `?query=${encodeURIComponent(query)}` : ""}`);
    contactsBody.replaceChildren();
    if (!data.contacts.length) {
      contactsBody.append(el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No contacts.")));
      return;
    }
    for (const c of data.contacts) {
      contactsBody.append(el("tr", { dataset: { contactId: c.id, email: c.email || "" } },
        el("td", {}, [c.firstName, c.lastName].filter(Boolean).join(" ")),
        el("td", {}, c.email || ""),
        el("td", { class: "contact-tags" }, (c.tags || []).map((t) => Ui.badge(t, "tag")))));
    }
  }

  userForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = document.getElementById("create-okta-user");
    Ui.busy(button, async () => {
      const values = Object.fromEntries([...new FormData(userForm).entries()].filter(([, v]) => v !== ""));
      const { user } = await Api.post("/api/sandboxes/okta/users", values);
      created.replaceChildren(el("p", { class: "notice notice-ok", dataset: { userId: user.id, email: user.profile.email } },
        `Created ${user.profile.firstName} ${user.profile.lastName} (${user.profile.email}), id ${user.id}, status ${user.status}.`));
      userForm.reset();
    });
  });

  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadContacts().catch(Ui.showError);
  });

  loadSandboxes().catch(Ui.showError);
  loadContacts().catch((error) => {
    contactsBody.replaceChildren(el("tr", {}, el("td", { colspan: 3, class: "empty" }, error.message)));
  });
})();
