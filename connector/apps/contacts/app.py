"""The Contacts app (HighLevel Contacts API, the "GHL" of the seeds), assembled from its operations.

Every operation of HighLevel's contacts document is reached: contacts (create, upsert, get, update,
delete, search, by business, business links), tasks, notes (list, get, add, update, delete), tags (one
contact or many), followers, campaigns and workflows; and a contact's appointments from the calendars
document (list, book, get, update, delete, and their notes). ``docs/contracts/contacts.coverage.json`` maps each vendor
operation to the operations here.
"""

from __future__ import annotations

from actions.contacts import (
    add_appointment_note,
    add_contact_to_campaign,
    add_contact_to_workflow,
    add_followers,
    add_note,
    add_tags,
    add_tags_to_contacts,
    book_appointment,
    complete_task,
    create_contact,
    delete_appointment,
    delete_appointment_note,
    delete_contact,
    delete_note,
    delete_task,
    link_contacts_to_business,
    remove_contact_from_all_campaigns,
    remove_contact_from_campaign,
    remove_contact_from_workflow,
    remove_followers,
    remove_tags,
    remove_tags_from_contacts,
    update_appointment,
    update_appointment_note,
    update_contact,
    update_note,
    upsert_contact,
    upsert_task,
)
from auth.contacts import CONTACTS_AUTH
from connector.api_request import api_request_action
from connector.apps.contacts import records
from connector.definitions import App, SearchOrCreate
from searches.contacts import (
    appointment_notes,
    contact_appointments,
    contact_notes,
    contact_tasks,
    contacts_by_business,
    find_contact,
    get_appointment,
    get_contact,
    list_contacts,
)
from triggers.contacts import new_contact, new_note, updated_contact, updated_task

APP = App(
    key="contacts",
    name="Contacts",
    version="1.0.0",
    description="HighLevel (LeadConnector) contacts with their tasks, notes, tags and appointments.",
    auth=CONTACTS_AUTH,
    sandbox="connector.cli.sandbox:contacts_command",
    homepage="https://highlevel.stoplight.io/docs/integrations",
    triggers=(
        new_contact.TRIGGER,
        new_contact.HOOK_TRIGGER,
        updated_contact.TRIGGER,
        updated_contact.HOOK_TRIGGER,
        updated_task.TRIGGER,
        updated_task.HOOK_TRIGGER,
        new_note.TRIGGER,
        new_note.HOOK_TRIGGER,
    ),
    actions=(
        api_request_action(app_name="Contacts", example_path="/contacts/{contactId}/tasks", auth=CONTACTS_AUTH),
        create_contact.ACTION,
        update_contact.ACTION,
        delete_contact.ACTION,
        upsert_task.ACTION,
        complete_task.ACTION,
        delete_task.ACTION,
        add_note.ACTION,
        add_tags.ACTION,
        remove_tags.ACTION,
        upsert_contact.ACTION,
        link_contacts_to_business.ACTION,
        book_appointment.ACTION,
        update_appointment.ACTION,
        delete_appointment.ACTION,
        update_note.ACTION,
        delete_note.ACTION,
        add_tags_to_contacts.ACTION,
        remove_tags_from_contacts.ACTION,
        add_followers.ACTION,
        remove_followers.ACTION,
        add_contact_to_campaign.ACTION,
        remove_contact_from_campaign.ACTION,
        remove_contact_from_all_campaigns.ACTION,
        add_contact_to_workflow.ACTION,
        remove_contact_from_workflow.ACTION,
        add_appointment_note.ACTION,
        update_appointment_note.ACTION,
        delete_appointment_note.ACTION,
    ),
    searches=(
        find_contact.SEARCH,
        get_contact.SEARCH,
        list_contacts.SEARCH,
        contacts_by_business.SEARCH,
        contact_tasks.SEARCH,
        contact_notes.SEARCH,
        contact_appointments.SEARCH,
        get_appointment.SEARCH,
        appointment_notes.SEARCH,
    ),
    search_or_creates=(
        # One flow step each (Zapier's searchOrCreates): the search runs, the create only when it finds nothing.
        SearchOrCreate.of(
            find_contact.SEARCH, create_contact.ACTION, key="find_or_create_contact", label="Find or Create Contact",
            description="Finds the contact with this email, phone or external ID; creates it when there is none. "
                        "The output says which happened.",
            important=True,
        ),
    ),
    record_types=(
        records.RECORD_TYPE,
    ),
)
