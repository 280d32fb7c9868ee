//! A plugin for the runtime's tests: appends what it is handed to a file.
//!
//! `record-sink --out[=]FILE [--events] [--delay-ms N] [runtime options]`: each record
//! (or, with `--events`, each event as `event SECONDS.MILLIS:SERIAL RECORDS`) becomes a
//! line of FILE, written at once; `--delay-ms` sleeps that long per record or event,
//! to play a slow handler. SIGHUP appends `reload`, the timer `tick`. At the end it
//! prints why it stopped and the metrics on stderr.
use audit_plugin::{Delivery, Handler, HandlerResult, ItemRef, Plugin};
use std::fs::File;
use std::io::Write;
use std::time::Duration;

struct Sink {
    out: File,
    delay: Duration,
}

impl Handler for Sink {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        std::thread::sleep(self.delay);
        let mut l = line.to_vec();
        l.push(b'\n');
        self.out.write_all(&l)?;
        Ok(())
    }
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        std::thread::sleep(self.delay);
        match item {
            Ok(ev) => writeln!(self.out, "event {} {}", ev.id(), ev.len())?,
            Err(e) => writeln!(self.out, "error {e}")?,
        }
        Ok(())
    }
    fn reload(&mut self) -> HandlerResult {
        writeln!(self.out, "reload")?;
        Ok(())
    }
    fn timer(&mut self) -> HandlerResult {
        writeln!(self.out, "tick")?;
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut plugin, rest) = Plugin::split_args(std::env::args().skip(1))?;
    let mut out = None;
    let mut delay = Duration::ZERO;
    let mut delivery = Delivery::Records;
    let mut args = rest.into_iter();
    while let Some(a) = args.next() {
        if let Some(path) = a.strip_prefix("--out=") {
            out = Some(path.to_owned());
            continue;
        }
        match a.as_str() {
            "--out" => out = args.next(),
            "--events" => delivery = Delivery::Events,
            "--delay-ms" => {
                delay = Duration::from_millis(args.next().ok_or("--delay-ms N")?.parse()?)
            }
            "--timer-ms" => {
                let ms = args.next().ok_or("--timer-ms N")?.parse()?;
                plugin = plugin.timer_interval(Duration::from_millis(ms));
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.ok_or("--out FILE is required")?)?;
    match plugin.delivery(delivery).run(&mut Sink { out, delay }) {
        Ok(outcome) => {
            eprint!("stopped: {:?}\n{}", outcome.reason, outcome.metrics);
            Ok(())
        }
        Err(e) => {
            eprintln!("record-sink: {e}");
            std::process::exit(1)
        }
    }
}
