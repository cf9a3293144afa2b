//! What a booking sends and offers: the `.ics` read by an independent
//! parser, emails with the `.ics` attached, the signed `booking.created`
//! webhook, and cancel / reschedule through the signed link.

use chrono::{Duration, TimeZone, Utc};
use scraper::Html;

use crate::booking_helpers::{book, booking_app, ending, first_slot, href, live_bookings, slot_start, slots_on};
use crate::helpers::{Team, TestApp, location, text_of};
use crate::receivers::{SmtpServer, WebhookReceiver};

fn utc(day: u32, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).single().unwrap()
}

/// Finishes as a Tier 1 buyer and books the first slot; returns the path.
async fn booked(app: &TestApp) -> String {
    let path = app.finish_tier1("cto@acme.example").await;
    let slot = first_slot(app, &path).await;
    assert_eq!(book(app, &path, &slot.value, "America/New_York").await.status(), 303);
    path
}

/// The properties of the one VEVENT in `ics`, read by the `ical` crate.
fn parse_event(ics: &str) -> (Vec<ical::property::Property>, Vec<ical::property::Property>) {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    assert_eq!(calendar.events.len(), 1);
    (calendar.properties, calendar.events[0].properties.clone())
}

fn value<'a>(properties: &'a [ical::property::Property], name: &str) -> &'a str {
    properties.iter().find(|p| p.name == name).and_then(|p| p.value.as_deref()).unwrap_or_else(|| panic!("{name}"))
}

fn param(properties: &[ical::property::Property], name: &str, param: &str) -> String {
    let property = properties.iter().find(|p| p.name == name).unwrap();
    let params = property.params.as_ref().unwrap();
    params.iter().find(|(key, _)| key == param).map(|(_, values)| values.join(",")).unwrap()
}

#[tokio::test]
async fn the_ics_file_is_read_by_an_independent_parser_with_the_meetings_details() {
    let (app, _team) = booking_app(|_| {}).await;
    let path = booked(&app).await;
    let page = ending(&app, &path).await;
    let ics_url = href(&page, ".booking-confirmed a[download]").expect("an .ics link");
    let response = app.get(&ics_url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/calendar; charset=utf-8");
    let ics = response.text().await.unwrap();
    assert!(ics.contains("\r\n") && !ics.replace("\r\n", "").contains('\n'), "CRLF line endings");
    let (calendar, event) = parse_event(&ics);
    assert_eq!(value(&calendar, "VERSION"), "2.0");
    assert_eq!(value(&calendar, "PRODID"), "-//leadgate//Booking//EN");
    assert_eq!(value(&calendar, "METHOD"), "REQUEST");
    let booking = &live_bookings(&app).await[0];
    assert_eq!(value(&event, "UID"), format!("booking-{}@leadgate", booking.id));
    assert_eq!(value(&event, "DTSTART"), "20261118T120000Z");
    assert_eq!(value(&event, "DTEND"), "20261118T123000Z");
    assert_eq!(value(&event, "SEQUENCE"), "0");
    assert_eq!(value(&event, "STATUS"), "CONFIRMED");
    assert_eq!(value(&event, "ORGANIZER"), "mailto:rita@team.example");
    assert!(param(&event, "ORGANIZER", "CN").contains("Rita Rep"));
    assert_eq!(value(&event, "ATTENDEE"), "mailto:cto@acme.example");
    assert!(value(&event, "DTSTAMP").ends_with('Z'));
}

fn smtp_settings(port: u16) -> leadgate::notify::email::SmtpSettings {
    leadgate::notify::email::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: leadgate::notify::email::SmtpSecurity::None,
        username: None,
        password: None,
        from: "leadgate <leads@team.example>".into(),
    }
}

#[tokio::test]
async fn the_prospect_and_the_rep_get_an_email_with_the_ics_attached() {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let (app, _team) = booking_app(move |s| s.smtp = Some(smtp_settings(port))).await;
    booked(&app).await;
    let booking_mail = |to: &str| {
        let to = format!("To: {to}");
        smtp.all().into_iter().map(|m| m.replace("=\n", "")).find(|m| m.contains(&to) && m.contains("invite.ics"))
    };
    app.wait_until("both booking emails", || async {
        booking_mail("cto@acme.example").is_some() && booking_mail("rita@team.example").is_some()
    })
    .await;
    let prospect = booking_mail("cto@acme.example").unwrap();
    assert!(prospect.contains("Booked: your meeting with Rita Rep"), "{prospect}");
    assert!(prospect.contains("07:00"), "12:00 UTC on the prospect's New York clock: {prospect}");
    assert!(prospect.contains("/bookings/"), "the manage link: {prospect}");
    assert!(prospect.contains("text/calendar") && prospect.contains("method=REQUEST"), "{prospect}");
    let ics_start = prospect.find("BEGIN:VCALENDAR").expect("the .ics in the message");
    let ics_end = prospect.find("END:VCALENDAR").unwrap() + "END:VCALENDAR".len();
    let (_, event) = parse_event(&prospect[ics_start..ics_end]);
    assert_eq!(value(&event, "DTSTART"), "20261118T120000Z");
    let rep = booking_mail("rita@team.example").unwrap();
    assert!(rep.contains("Meeting booked"), "{rep}");
    assert!(!rep.contains("/bookings/"), "the prospect's link stays theirs: {rep}");
    assert!(rep.contains("/inbox/leads/"), "{rep}");
}

async fn add_endpoint(app: &TestApp, team: &Team, url: &str, events: &[&str]) -> String {
    let admin = app.login_as(&team.admin).await;
    let mut pairs = vec![("url", url), ("allow_private", "yes")];
    pairs.extend(events.iter().map(|e| ("events", *e)));
    let response = admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await;
    assert_eq!(response.status(), 200);
    let page = Html::parse_document(&response.text().await.unwrap());
    text_of(&page, "code.secret").expect("the secret is shown once")
}

#[tokio::test]
async fn a_booking_created_webhook_is_signed_and_carries_the_booking_and_the_lead() {
    let (app, team) = booking_app(|_| {}).await;
    let receiver = WebhookReceiver::start().await;
    let secret = add_endpoint(&app, &team, &receiver.url, &["booking.created"]).await;
    let path = booked(&app).await;
    app.wait_until("the booking webhook", || async { !receiver.all().is_empty() }).await;
    let got = receiver.all().remove(0);
    standardwebhooks::Webhook::new(&secret).unwrap().verify(got.body.as_bytes(), &got.headers).expect("signed");
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["type"], "booking.created");
    assert_eq!(body["data"]["booking"]["start"], "2026-11-18T12:00:00Z");
    assert_eq!(body["data"]["booking"]["rep_name"], "Rita Rep");
    assert_eq!(body["data"]["booking"]["prospect_zone"], "America/New_York");
    assert!(body["data"]["booking"].get("manage_url").is_none(), "no prospect link in webhooks");
    assert_eq!(body["data"]["lead"]["lead_id"], app.lead_of(&path).await.id.to_string());
    assert_eq!(receiver.all().len(), 1, "only the subscribed event");
}

/// The manage link from the confirmation page.
async fn manage_link(app: &TestApp, path: &str) -> String {
    let page = ending(app, path).await;
    let link = href(&page, ".booking-confirmed a[href*='/bookings/']").expect("a manage link");
    link.trim_start_matches(&app.address).to_owned()
}

#[tokio::test]
async fn the_signed_link_reschedules_freeing_the_old_slot_then_cancels() {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let (app, team) = booking_app(move |s| s.smtp = Some(smtp_settings(port))).await;
    let receiver = WebhookReceiver::start().await;
    add_endpoint(&app, &team, &receiver.url, &["booking.rescheduled", "booking.cancelled"]).await;
    let path = booked(&app).await;
    let lead_id = app.lead_of(&path).await.id;
    let link = manage_link(&app, &path).await;
    let page = app.get_html(&link).await;
    assert_eq!(text_of(&page, "h1").as_deref(), Some("Your meeting"));
    let moves = slots_on(&page);
    assert!(moves.iter().all(|s| slot_start(&s.value) != utc(18, 12, 0)), "the meeting's own time is no move");
    let target = moves.iter().find(|s| slot_start(&s.value) == utc(19, 10, 0)).expect("Thursday 10:00 offered");
    let moved = app.post_form(&format!("{link}/reschedule"), &[("slot", &target.value), ("tz", "UTC")]).await;
    assert_eq!(moved.status(), 303);
    assert_eq!(location(&moved), link);
    let booking = live_bookings(&app).await.remove(0);
    assert_eq!((booking.starts_at, booking.sequence), (utc(19, 10, 0), 1));
    // The old slot is free again for the next prospect (Sam gets the next lead; Rita the one after).
    app.finish_tier1("other@two.example").await;
    let next = app.finish_tier1("third@three.example").await;
    assert_eq!(slot_start(&first_slot(&app, &next).await.value), utc(18, 12, 0));
    let cancelled = app.post_form(&format!("{link}/cancel"), &[]).await;
    assert_eq!(cancelled.status(), 303);
    let page = app.get_html(&link).await;
    assert_eq!(text_of(&page, "h1").as_deref(), Some("This meeting is cancelled"));
    assert!(live_bookings(&app).await.is_empty());
    // The used link still says so, and cancelling again changes nothing.
    assert_eq!(app.post_form(&format!("{link}/cancel"), &[]).await.status(), 303);
    assert_eq!(text_of(&app.get_html(&link).await, "h1").as_deref(), Some("This meeting is cancelled"));
    let events: Vec<String> =
        app.notices("live", &team.rita.id.to_string()).await.into_iter().map(|n| n.event_type).collect();
    for event in ["booking.created", "booking.rescheduled", "booking.cancelled"] {
        assert_eq!(events.iter().filter(|e| *e == event).count(), 1, "{event} in {events:?}");
    }
    assert_change_webhooks(&app, &receiver, lead_id).await;
    assert_change_emails(&app, &smtp).await;
    // After a cancellation the ending offers slots again.
    let again = ending(&app, &path).await;
    assert!(text_of(&again, ".booking-message").unwrap().contains("cancelled"));
    assert!(!slots_on(&again).is_empty());
}

/// The move, then the cancellation, reached the webhook with the booking and the whole lead.
async fn assert_change_webhooks(app: &TestApp, receiver: &WebhookReceiver, lead_id: uuid::Uuid) {
    app.wait_until("both change webhooks", || async { receiver.all().len() >= 2 }).await;
    let bodies: Vec<serde_json::Value> =
        receiver.all().iter().map(|r| serde_json::from_str(&r.body).unwrap()).collect();
    let types: Vec<&str> = bodies.iter().filter_map(|b| b["type"].as_str()).collect();
    assert_eq!(types, ["booking.rescheduled", "booking.cancelled"], "only the subscribed events, in order");
    let (moved, cancelled) = (&bodies[0]["data"], &bodies[1]["data"]);
    assert_eq!(moved["booking"]["start"], "2026-11-19T10:00:00Z");
    assert_eq!(moved["booking"]["previous_start"], "2026-11-18T12:00:00Z");
    assert_eq!(
        (moved["booking"]["sequence"].as_i64(), moved["booking"]["status"].as_str()),
        (Some(1), Some("confirmed"))
    );
    assert_eq!(cancelled["booking"]["status"], "cancelled");
    assert_eq!(cancelled["booking"]["booking_id"], moved["booking"]["booking_id"]);
    for data in [moved, cancelled] {
        assert!(data["booking"].get("manage_url").is_none(), "no prospect link in webhooks");
        crate::notices::assert_carries_the_tier1_lead(&data["lead"], lead_id, "cto@acme.example");
    }
}

/// The rep and the prospect each got an email for the move and one for the
/// cancellation, with the `.ics` that updates or removes the meeting.
async fn assert_change_emails(app: &TestApp, smtp: &SmtpServer) {
    let mail = |to: &str, says: &str| {
        let to = format!("To: {to}");
        let found: Vec<String> = smtp
            .all()
            .into_iter()
            .map(|m| m.replace("=\n", ""))
            .filter(|m| m.contains(&to) && m.contains(says))
            .collect();
        (found.len() == 1).then(|| found[0].clone())
    };
    let wanted = [
        ("rita@team.example", "Meeting moved: "),
        ("rita@team.example", "Meeting cancelled: "),
        // 10:00 UTC on the prospect's New York clock, chosen when booking.
        ("cto@acme.example", "Moved: your meeting with Rita Rep on Thursday 19 November 2026, 05:00"),
        ("cto@acme.example", "Cancelled: your meeting with Rita Rep on Thursday 19 November 2026, 05:00"),
    ];
    app.wait_until("the change emails", || async { wanted.iter().all(|(to, says)| mail(to, says).is_some()) }).await;
    let moved = mail("rita@team.example", "Meeting moved: ").unwrap();
    assert!(moved.contains("Before: Wednesday 18 November 2026, 12:00"), "{moved}");
    assert!(moved.contains("method=REQUEST") && moved.contains("SEQUENCE:1"), "{moved}");
    assert!(moved.contains("/inbox/leads/"), "{moved}");
    let cancelled = mail("cto@acme.example", "Cancelled: your meeting").unwrap();
    assert!(cancelled.contains("method=CANCEL") && cancelled.contains("STATUS:CANCELLED"), "{cancelled}");
    assert!(!cancelled.contains("/bookings/"), "no manage link for a cancelled meeting: {cancelled}");
}

#[tokio::test]
async fn a_forged_or_expired_link_is_refused() {
    let (app, _team) = booking_app(|_| {}).await;
    let path = booked(&app).await;
    let link = manage_link(&app, &path).await;
    let last = link.chars().last().unwrap();
    let forged = format!("{}{}", &link[..link.len() - 1], if last == '0' { '1' } else { '0' });
    let response = app.get(&forged).await;
    assert_eq!(response.status(), 404);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(text_of(&page, ".link-problem").unwrap().contains("not valid"));
    assert_eq!(app.post_form(&format!("{forged}/cancel"), &[]).await.status(), 404);
    let other_booking =
        link.replacen(&live_bookings(&app).await[0].id.to_string(), &uuid::Uuid::now_v7().to_string(), 1);
    assert_eq!(app.get(&other_booking).await.status(), 404, "the id is signed too");
    app.clock.advance(Duration::days(9));
    assert_eq!(app.get(&link).await.status(), 410);
    assert_eq!(app.post_form(&format!("{link}/cancel"), &[]).await.status(), 410);
    assert_eq!(live_bookings(&app).await.len(), 1, "nothing was cancelled");
}
