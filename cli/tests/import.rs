//! `hrledger import staff`: a good payroll extract imports once, a re-run imports nothing new,
//! and a file with bad rows is rejected whole with every bad line named.

mod common;

use common::{seeded, Sandbox};

const HEADER: &str = "employee_number,given_name,family_name,ni_number,date_of_birth,\
assignment_number,position_code,job_title,staff_group,band,pay_point,fte,cost_centre,location,\
start_date,continuous_service_date,payroll_only_column";

/// Three staff of the demo's North CCG (extra payroll columns are ignored).
fn good_csv() -> String {
    [
        HEADER,
        "90001,Ffion,Quenby,JT 12 34 56 A,1984-03-02,49000001-1,PX0001,Finance Analyst,Admin & Clerical,5,2,1.0,401120,North Shire House,2019-06-03,2015-01-05,x",
        "90002,Olu,Varley,,12/11/1990,49000002-1,PX0002,Deputy Director,Admin & Clerical,Band 8d,,0.8,401121,North Shire House,01/09/2020,,y",
        "90003,Tam,Upjohn,AB123456C,1970-07-07,49000003-1,PX0003,Chief Finance Officer,Admin & Clerical,VSM,,1,401001,North Shire House,2018-04-01,,z",
    ]
    .join("\n")
        + "\n"
}

fn head(sandbox: &Sandbox) -> u64 {
    let digest = sandbox.run(&["digest", "--db", &sandbox.db()]).ok();
    digest.split(':').next().unwrap().parse().unwrap()
}

#[test]
fn a_good_file_imports_once_and_a_re_run_adds_nothing() {
    let sandbox = seeded();
    let db = sandbox.db();
    let file = sandbox.write("staff.csv", &good_csv());
    let file = file.to_str().unwrap();
    let before = head(&sandbox);
    let out = sandbox
        .run(&["import", "staff", "--db", &db, "--employer", "NCCG", file])
        .ok();
    assert!(out.contains("imported 3 staff for NCCG"), "{out}");
    assert_eq!(head(&sandbox), before + 6, "two events per row");

    let again = sandbox
        .run(&["import", "staff", "--db", &db, "--employer", "NCCG", file])
        .ok();
    assert!(again.contains("0 new events"), "{again}");
    assert_eq!(head(&sandbox), before + 6, "a re-run appends nothing");
    sandbox.run(&["verify", "--db", &db]).ok();
}

#[test]
fn bad_rows_are_all_reported_with_line_numbers_and_nothing_is_imported() {
    let sandbox = seeded();
    let db = sandbox.db();
    let mut rows: Vec<String> = good_csv().lines().map(str::to_string).collect();
    // line 3: bad NI number and FTE; line 5: unknown AfC band; line 6: duplicate employee number;
    // line 7: a short row.
    rows[2] = rows[2]
        .replace(",,12/11/1990", ",ZZ999,12/11/1990")
        .replace(",0.8,", ",1.2,");
    rows.push("90004,Ann,Lee,,,49000004-1,PX0004,Analyst,Admin & Clerical,Band 10,,1,401120,North Shire House,2021-01-04,,".into());
    rows.push("90001,Dup,Licate,,,49000005-1,PX0005,Analyst,Admin & Clerical,4,,1,401120,North Shire House,2021-01-04,,".into());
    rows.push("90009,Short,Row".into()); // line 7: too few cells
    let file = sandbox.write("bad.csv", &(rows.join("\n") + "\n"));
    let before = head(&sandbox);

    let run = sandbox.run(&[
        "import",
        "staff",
        "--db",
        &db,
        "--employer",
        "NCCG",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("nothing was imported"),
        "{stderr}"
    );
    for expected in [
        "line 3: ni_number",
        "line 3: fte",
        "line 5: band",
        "line 6: employee_number",
        "line 7: ",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in {stderr}"
        );
    }
    assert!(
        !stderr.contains("line 2:") && !stderr.contains("line 4:"),
        "{stderr}"
    );
    assert_eq!(head(&sandbox), before, "nothing imported");
}

#[test]
fn missing_columns_and_unknown_employers_are_refused() {
    let sandbox = seeded();
    let db = sandbox.db();
    let file = sandbox.write("short.csv", "employee_number,given_name\n1,A\n");
    let run = sandbox.run(&[
        "import",
        "staff",
        "--db",
        &db,
        "--employer",
        "NCCG",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code(), 4);
    assert!(
        run.stderr().contains("line 1: missing family_name"),
        "{}",
        run.stderr()
    );

    let file = sandbox.write("staff.csv", &good_csv());
    let line = sandbox
        .run(&[
            "import",
            "staff",
            "--db",
            &db,
            "--employer",
            "NOPE",
            file.to_str().unwrap(),
        ])
        .fails_with_one_line(1);
    assert!(line.contains("employer NOPE is not registered"), "{line}");
}
