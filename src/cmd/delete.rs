//! `kz delete`: resolve what the arguments name (the shared resource builder), delete each
//! object with kubectl's DeleteOptions (propagation policy, grace period, dry run), print
//! `pod "web-0" deleted` for each, then wait until the deleted objects are gone.
//!
//! Like kubectl, an object that cannot be deleted is reported after the others, and the
//! command then fails.

mod request;

use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};

use crate::api::{ListQuery, list_objects};
use crate::cli::{DeleteArgs, DryRun};
use crate::client::ApiClient;
use crate::context::Context;
use crate::error::{self, Reason};
use crate::print::kind_label;
use crate::resource::{Objects, Plan, Scope, Target, Verb};
use crate::signals::CtrlC;
use request::{Propagation, Subject};

/// kubectl's warning for `--force` with a grace period of 0.
const FORCE_WARNING: &str = "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.";

/// kubectl's wait when `--timeout` is 0.
const A_WEEK: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// `delete`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    pub propagation: Propagation,
    /// `None`: the object's own grace period (kubectl's -1).
    pub grace_period: Option<i64>,
    pub wait: bool,
    /// `--timeout`: how long each object may take to be gone.
    pub wait_timeout: Duration,
    /// Whether a NotFound from a named object is no error.
    pub ignore_not_found: bool,
    pub dry_run: DryRun,
    /// Warnings kubectl gives before deleting (deprecated spellings, `--force`).
    pub warnings: Vec<String>,
    /// `-o name`: `pod/web-0` instead of `pod "web-0" deleted`.
    pub names_only: bool,
    /// `-i`: list the objects and ask before deleting them.
    pub interactive: bool,
}

impl Options {
    /// Checks the flags in kubectl's order (`Complete`, then `Validate`).
    pub fn from_args(args: DeleteArgs) -> Result<Options> {
        let mut warnings = Vec::new();
        let (propagation, warning) = Propagation::parse(&args.cascade)?;
        warnings.extend(warning);
        let (dry_run, warning) = args.dry_run.parse()?;
        warnings.extend(warning);
        let mut grace_period = args.grace_period;
        if args.now {
            if grace_period != -1 {
                bail!("--now and --grace-period cannot be specified together");
            }
            grace_period = 1;
        }
        if grace_period == 0 && !args.force {
            // kubectl turns a bare --grace-period=0 into 1 to prevent accidental data loss.
            grace_period = 1;
        }
        if args.force && grace_period < 0 {
            grace_period = 0;
        }
        let given = |selector: &Option<String>| selector.as_deref().is_some_and(|s| !s.is_empty());
        let collection = args.all || given(&args.objects.selector) || given(&args.field_selector);
        let plan = args
            .objects
            .builder(Verb::Delete)
            .field_selector(args.field_selector.as_deref())
            .all_namespaces(args.all_namespaces)
            .all(args.all)
            .parse()?;
        if args.force {
            if grace_period > 0 {
                bail!("--force and --grace-period greater than 0 cannot be specified together");
            }
            warnings.push(FORCE_WARNING.to_owned());
        }
        Ok(Options {
            plan,
            propagation,
            grace_period: (grace_period >= 0).then_some(grace_period),
            wait: args.wait && dry_run == DryRun::None,
            // kubectl's 0: a week.
            wait_timeout: Some(args.timeout)
                .filter(|timeout| !timeout.is_zero())
                .unwrap_or(A_WEEK),
            // kubectl ignores NotFound for selections unless told otherwise.
            ignore_not_found: args.ignore_not_found || collection,
            dry_run,
            warnings,
            names_only: args.output.is_some(),
            interactive: args.interactive,
        })
    }

    /// What kubectl says it did: `deleted`, `force deleted`, with the dry-run suffix.
    fn operation(&self) -> String {
        let verb = match self.grace_period {
            Some(0) => "force deleted",
            _ => "deleted",
        };
        format!("{verb}{}", self.dry_run.suffix())
    }

    /// The line printed for one deleted object.
    fn line(&self, subject: &Subject) -> String {
        let kind = kind_label(&subject.rt);
        if self.names_only {
            format!("{kind}/{}", subject.name)
        } else {
            format!("{kind} \"{}\" {}", subject.name, self.operation())
        }
    }
}

pub fn run(args: DeleteArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    for warning in &options.warnings {
        ctx.err.line(warning);
    }
    let scope = Scope {
        namespace: ctx.namespace()?,
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let plan = options.plan.clone();
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;

    let mut errors = Vec::new();
    let mut found = Vec::new();
    for target in targets {
        match target {
            Ok(target) => found.extend(ctx.block_on(subjects(&client, target))??),
            Err(err) => errors.push(err),
        }
    }
    if options.interactive && !found.is_empty() && !confirmed(ctx, &found)? {
        writeln!(ctx.out, "deletion is cancelled")?;
        return Ok(());
    }

    // Listening before the first `deleted` line: a Ctrl-C that answers it stops the wait.
    let mut ctrl_c = match options.wait {
        true => Some(ctx.block_on(async { CtrlC::listen() })?),
        false => None,
    };
    let nothing_found = found.is_empty();
    let mut deleted = Vec::new();
    for subject in found {
        match ctx.block_on(request::delete(&client, &subject, &options))?? {
            Ok(uid) => {
                writeln!(ctx.out, "{}", options.line(&subject))?;
                ctx.flush()?;
                deleted.push((subject, uid));
            }
            Err(err)
                if options.ignore_not_found && error::reason(&err) == Some(Reason::NotFound) => {}
            Err(err) => errors.push(subject.with_source(err)),
        }
    }
    if nothing_found && errors.is_empty() {
        writeln!(ctx.out, "No resources found")?;
    }
    ctx.flush()?;
    if let Some(ctrl_c) = &mut ctrl_c {
        let progress = ctx.err_terminal().is_terminal.then(|| ctx.err.clone());
        let waits = async {
            let mut failed = Vec::new();
            for (subject, uid) in &deleted {
                let gone = request::wait_gone(&client, subject, uid.as_deref(), progress.as_ref());
                let Ok(gone) = tokio::time::timeout(options.wait_timeout, gone).await else {
                    // kubectl stops waiting at the first object that outlasts the timeout.
                    failed.push(anyhow!(
                        "timed out waiting for the condition on {}/{}",
                        subject.rt.resource,
                        subject.name
                    ));
                    break;
                };
                if let Err(err) = gone? {
                    failed.push(err);
                }
            }
            Ok(failed)
        };
        errors.extend(ctx.block_on(ctrl_c.stop(waits))??);
    }
    super::report_errors(&ctx.err, errors)
}

/// `--interactive`: lists what is about to be deleted and asks, as kubectl does (on stdout);
/// only `y` (or `Y`) goes ahead, anything else or no answer cancels.
fn confirmed(ctx: &mut Context, subjects: &[Subject]) -> Result<bool> {
    writeln!(
        ctx.out,
        "You are about to delete the following {} resource(s):",
        subjects.len()
    )?;
    for subject in subjects {
        writeln!(ctx.out, "{}/{}", kind_label(&subject.rt), subject.name)?;
    }
    write!(ctx.out, "Do you want to continue? (y/n): ")?;
    ctx.flush()?;
    // Go's fmt.Scan: the first word, past blank lines.
    let mut answer = String::new();
    for line in std::io::stdin().lines() {
        let line = line.context("reading the answer")?;
        if let Some(word) = line.split_whitespace().next() {
            answer = word.to_owned();
            break;
        }
    }
    Ok(answer.eq_ignore_ascii_case("y"))
}

/// The objects a target names: names as given, a collection as listed now, a manifest's
/// object by its name.
async fn subjects(client: &ApiClient, target: Target) -> Result<Vec<Subject>> {
    let subject = |name: &str, source: Option<String>| Subject {
        rt: target.rt.clone(),
        namespace: target.namespace.clone(),
        name: name.to_owned(),
        source,
    };
    // Listed across every namespace (`-A`), each object is deleted in its own.
    let listed = |object: &serde_json::Value| {
        let metadata = &object["metadata"];
        Subject {
            namespace: metadata["namespace"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| target.namespace.clone()),
            ..subject(metadata["name"].as_str().unwrap_or(""), None)
        }
    };
    Ok(match &target.objects {
        Objects::Names(names) => names.iter().map(|name| subject(name, None)).collect(),
        Objects::Collection(selectors) => {
            let query = ListQuery {
                label_selector: selectors.label.clone(),
                field_selector: selectors.field.clone(),
                ..ListQuery::default()
            };
            list_objects(client, &target.rt, target.namespace.as_deref(), query)
                .await?
                .iter()
                .map(listed)
                .collect()
        }
        Objects::Manifest(manifest) => {
            vec![subject(
                &manifest.name,
                Some(manifest.origin.source.clone()),
            )]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};

    fn options(args: &[&str]) -> Result<Options> {
        let cli: Cli =
            crate::cli::try_parse_from(["kz", "delete"].into_iter().chain(args.iter().copied()))?;
        let Command::Delete(args) = cli.command else {
            panic!("not a delete command");
        };
        Options::from_args(*args)
    }

    fn error(args: &[&str]) -> String {
        options(args).expect_err("an error").to_string()
    }

    #[test]
    fn grace_periods_follow_kubectl() {
        assert_eq!(options(&["pod/a"]).unwrap().grace_period, None);
        assert_eq!(options(&["pod/a", "--now"]).unwrap().grace_period, Some(1));
        assert_eq!(
            options(&["pod/a", "--grace-period=0"])
                .unwrap()
                .grace_period,
            Some(1)
        );
        let forced = options(&["pod/a", "--force"]).unwrap();
        assert_eq!(forced.grace_period, Some(0));
        assert_eq!(forced.warnings, vec![FORCE_WARNING.to_owned()]);
        assert_eq!(
            error(&["pod/a", "--now", "--grace-period=5"]),
            "--now and --grace-period cannot be specified together"
        );
        assert_eq!(
            error(&["pod/a", "--force", "--grace-period=5"]),
            "--force and --grace-period greater than 0 cannot be specified together"
        );
    }

    #[test]
    fn lines_say_what_was_done() {
        let forced = options(&["pod/a", "--force", "--dry-run=server"]).unwrap();
        assert_eq!(forced.operation(), "force deleted (server dry run)");
        assert_eq!(
            options(&["pod/a", "--dry-run=client"]).unwrap().operation(),
            "deleted (dry run)"
        );
    }

    #[test]
    fn dry_runs_and_selections() {
        let dry = options(&["pod/a", "--dry-run=server"]).unwrap();
        assert!(!dry.wait);
        assert!(!dry.ignore_not_found);
        assert!(
            options(&["pods", "-l", "app=web"])
                .unwrap()
                .ignore_not_found
        );
        assert!(options(&["pods", "--all"]).unwrap().ignore_not_found);
    }
}
