//! The driver command line and `ups.conf` handling: what a driver publishes and refuses.
#![allow(clippy::unwrap_used)]

use nut_driver_core::cli::{Args, Paths, Setup};
use nut_driver_core::DriverOption;

const KNOWN: &[DriverOption] = &[
    DriverOption {
        name: "mode",
        takes_value: true,
        description: "mode",
    },
    DriverOption {
        name: "password",
        takes_value: true,
        description: "secret",
    },
    DriverOption {
        name: "fast",
        takes_value: false,
        description: "a flag",
    },
];

fn setup(args: &[&str], conf: &str) -> Result<Setup, String> {
    let args = Args::parse(args.iter().copied()).map_err(|e| e.to_string())?;
    Setup::build(&args, Some((conf, "/etc/nut/ups.conf")), "dummy-ups", KNOWN)
        .map_err(|e| e.to_string())
}

const CONF: &str = "pollinterval = 7\nuser = nut\n[u]\n driver = dummy-ups\n port = x.dev\n \
    desc = \"d\"\n sdorder = 3\n nolock\n fast\n mode = dummy-loop\n password = hush\n \
    default.battery.charge = 50\n override.ups.model = M\n";

#[test]
fn publishes_what_nut_publishes() {
    let s = setup(&["-a", "u", "-x", "mode=dummy-once"], CONF).unwrap();
    let published: Vec<(&str, Option<&str>)> = s
        .published
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    assert_eq!(
        published,
        [
            ("port", Some("x.dev")),
            ("nolock", None),
            ("fast", None),
            ("mode", Some("dummy-once")),
        ],
        "password is secret; desc/sdorder belong to upsd/upsdrvctl; -x wins"
    );
    assert_eq!(s.options.get("password"), Some("hush"));
    assert_eq!(s.poll_interval, 7);
    assert_eq!(s.user.as_deref(), Some("nut"));
    assert_eq!(s.defaults, [("battery.charge".into(), "50".into())]);
    assert_eq!(s.overrides, [("ups.model".into(), "M".into())]);
}

#[test]
fn command_line_wins_and_standalone_needs_port() {
    let s = setup(&["-a", "u", "-u", "root", "-i", "3"], CONF).unwrap();
    assert_eq!((s.user.as_deref(), s.poll_interval), (Some("root"), 3));
    let e = setup(&["-s", "solo"], "").unwrap_err();
    assert!(e.contains("port"), "{e}");
    let s = setup(&["-s", "solo", "-x", "port=a.dev"], "").unwrap();
    assert_eq!(s.ups, "solo");
}

#[test]
fn refuses_what_nut_refuses() {
    let e = setup(&["-a", "u"], "[u]\n driver = usbhid-ups\n port = auto\n").unwrap_err();
    assert!(
        e.contains("is for driver usbhid-ups, but I'm dummy-ups"),
        "{e}"
    );
    let e = setup(
        &["-a", "u"],
        "[u]\n driver = dummy-ups\n port = a\n bogus = 1\n",
    )
    .unwrap_err();
    assert!(e.contains("'bogus' is not a valid variable name"), "{e}");
    let e = setup(&["-a", "zz"], CONF).unwrap_err();
    assert!(e.contains("zz not found"), "{e}");
    let e = setup(
        &["-a", "u"],
        "[u]\n driver = dummy-ups\n pollinterval = 0\n",
    )
    .unwrap_err();
    assert!(e.ends_with(": UPS [u]: invalid pollinterval: 0"), "{e}");
    let e = setup(&["-a", "u"], "pollinterval = x\n[u]\n driver = dummy-ups\n").unwrap_err();
    assert!(e.ends_with(": invalid pollinterval: 0"), "{e}");
    // Another section's bad value is that driver's problem only.
    let conf = "[u]\n driver = dummy-ups\n port = a\n[v]\n driver = dummy-ups\n pollinterval = 0\n";
    assert_eq!(setup(&["-a", "u"], conf).unwrap().poll_interval, 2);
}

#[test]
fn paths_follow_nut_environment_rules() {
    let p = Paths::from_lookup(|k| match k {
        "NUT_STATEPATH" => Some("/s".into()),
        "NUT_ALTPIDPATH" => Some(String::new()),
        _ => None,
    });
    assert_eq!(p.conf.to_str(), Some("/etc/nut"));
    assert_eq!(p.socket("dummy-ups", "u").to_str(), Some("/s/dummy-ups-u"));
    assert_eq!(
        p.pid_file("dummy-ups", "u").to_str(),
        Some("/s/dummy-ups-u.pid")
    );
}
