/* Sandboxes page: create an Okta user or a Personio employee through the sandboxes' APIs; list the
   newest Okta users and Personio employees and the Contacts sandbox's contacts. */
"use strict";

(() => {
  const { el } = Ui;
  const userForm = document.getElementById("okta-user-form");
  const created = document.getElementById("okta-created");
  const searchForm = document.getElementById("contacts-search");
  const contactsBody = document.getElementById("contacts-body");
  const employeeForm = document.getElementById("personio-employee-form");
  const employeeCreated = document.getElementById("personio-created");
  const employeesBody = document.getElementById("personio-body");
  const usersBody = document.getElementById("okta-body");

  async function loadUsers() {
    const data = await Api.get("/api/sandboxes/okta/users?limit=5");
    usersBody.replaceChildren();
    if (!data.users.length) {
      usersBody.append(el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No users.")));
      return;
    }
    for (const u of data.users) {
      usersBody.append(el("tr", { dataset: { userId: u.id, email: u.email || "" } },
        el("td", {}, [u.firstName, u.lastName].filter(Boolean).join(" "), el("div", { class: "small muted" }, u.title || "")),
        el("td", {}, u.email || ""),
        el("td", {}, Ui.badge(u.status || ""))));
    }
  }

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

  async function loadEmployees() {
    const data = await Api.get("/api/sandboxes/personio/employees?limit=5");
    employeesBody.replaceChildren();
    if (!data.employees.length) {
      employeesBody.append(el("tr", {}, el("td", { colspan: 2, class: "empty" }, "No employees.")));
      return;
    }
    for (const e of data.employees) {
      employeesBody.append(el("tr", { dataset: { employeeId: e.id, email: e.email || "" } },
        el("td", {}, [e.first_name, e.last_name].filter(Boolean).join(" "),
          el("div", { class: "small muted" }, [e.position, e.department].filter(Boolean).join(", "))),
        el("td", {}, e.email || "")));
    }
  }

  function formValues(form) {
    return Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v.trim() !== ""));
  }

  employeeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = document.getElementById("create-personio-employee");
    Ui.busy(button, async () => {
      const { employee: e } = await Api.post("/api/sandboxes/personio/employees", formValues(employeeForm));
      employeeCreated.replaceChildren(el("p", { class: "notice notice-ok", dataset: { employeeId: e.id, email: e.email } },
        `Created ${e.first_name} ${e.last_name} (${e.email}), employee ${e.id}, ${e.position || "no position"} in ${e.department || "no department"}.`));
      employeeForm.reset();
      await loadEmployees();
    });
  });

  userForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = document.getElementById("create-okta-user");
    Ui.busy(button, async () => {
      const { user } = await Api.post("/api/sandboxes/okta/users", formValues(userForm));
      created.replaceChildren(el("p", { class: "notice notice-ok", dataset: { userId: user.id, email: user.profile.email } },
        `Created ${user.profile.firstName} ${user.profile.lastName} (${user.profile.email}), id ${user.id}, status ${user.status}.`));
      userForm.reset();
      await loadUsers();
    });
  });

  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadContacts().catch(Ui.showError);
  });

  loadSandboxes().catch(Ui.showError);
  loadUsers().catch((error) => {
    usersBody.replaceChildren(el("tr", {}, el("td", { colspan: 3, class: "empty" }, error.message)));
  });
  loadEmployees().catch((error) => {
    employeesBody.replaceChildren(el("tr", {}, el("td", { colspan: 2, class: "empty" }, error.message)));
  });
  loadContacts().catch((error) => {
    contactsBody.replaceChildren(el("tr", {}, el("td", { colspan: 3, class: "empty" }, error.message)));
  });
})();
