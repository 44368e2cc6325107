//! kubectl's resource builder: a verb's arguments, `-f` sources, selectors and namespace flags
//! become an ordered list of targets, each one resource type in one namespace with names, a
//! whole collection, or one object read from a manifest.
//!
//! Two steps, like a kubectl verb's Complete/Validate and Run: `Builder::parse` checks the
//! combination without I/O (so usage errors come before any request), and `Plan::resolve`
//! reads the manifests and asks discovery. The rules and their order are those of kubectl's
//! `Builder.visitorResult`; its messages are kept word for word.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use super::args::{Selection, parse_args, parse_object_arg};
use super::files::{self, Filename, Source};
use super::http::UrlReader;
use super::manifest::{self, Manifest, Origin};
use super::verb::{self, MISSING_RESOURCE, Verb};
use crate::discovery::{CatalogSource, Discovery, ResourceType};
use crate::error::UnknownKind;

/// What a verb was given, gathered builder-style:
/// `Builder::new(Verb::Delete).args(&args).label_selector(sel).all(all).parse()?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    verb: Verb,
    args: Vec<String>,
    filenames: Vec<PathBuf>,
    recursive: bool,
    label_selector: Option<String>,
    field_selector: Option<String>,
    all: bool,
    all_namespaces: bool,
    subresource: bool,
    watch: bool,
}

/// The namespace the command runs in: `-n`, the context's, or `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub namespace: String,
    /// Whether `-n` gave it: a manifest's own namespace must then agree.
    pub explicit: bool,
}

/// One resource type in one namespace, and which of its objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub rt: ResourceType,
    /// `None` for a cluster-scoped type, or every namespace (`-A`).
    pub namespace: Option<String>,
    pub objects: Objects,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Objects {
    /// Named objects, in the order given (a name given twice is there twice, as in kubectl).
    Names(Vec<String>),
    /// Every object of the type, as far as the selectors let through.
    Collection(Selectors),
    /// One object of a manifest, its namespace already settled (in its body too).
    Manifest(Box<Manifest>),
}

/// `-l` and `--field-selector`, trimmed; empty ones are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selectors {
    pub label: Option<String>,
    pub field: Option<String>,
}

/// A checked combination of arguments, ready to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    verb: Verb,
    form: Form,
    selectors: Selectors,
    recursive: bool,
    all_namespaces: bool,
    single_type: bool,
}

/// Which of kubectl's visits the arguments make.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    /// `-f …`: the objects of the files (the label selector filters them, for the verb to
    /// apply). `conflict` is kubectl's complaint about type arguments given as well, which it
    /// only makes once the paths are known to exist.
    Files {
        filenames: Vec<Filename>,
        conflict: Option<&'static str>,
    },
    /// `pods,svc -l app=web`, `pods` where that lists: collections.
    Collections(Vec<String>),
    /// `deploy/web svc/web`: named objects of several types.
    Pairs(Vec<(String, String)>),
    /// `pods web api`.
    Names { word: String, names: Vec<String> },
    /// `delete pods`: types, and nothing to say which of their objects.
    TypesOnly(Vec<String>),
}

impl Builder {
    pub fn new(verb: Verb) -> Builder {
        Builder {
            verb,
            args: Vec::new(),
            filenames: Vec::new(),
            recursive: false,
            label_selector: None,
            field_selector: None,
            all: false,
            all_namespaces: false,
            subresource: false,
            watch: false,
        }
    }

    /// The positional arguments: `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…` (for logs,
    /// `POD [CONTAINER]` or `TYPE/NAME [CONTAINER]`).
    pub fn args(mut self, args: &[String]) -> Builder {
        self.args = args.to_vec();
        self
    }

    /// `-f` arguments (files, directories, globs, `-`, URLs) and `-R`.
    pub fn filenames(mut self, filenames: &[PathBuf], recursive: bool) -> Builder {
        self.filenames = filenames.to_vec();
        self.recursive = recursive;
        self
    }

    pub fn label_selector(mut self, selector: Option<&str>) -> Builder {
        self.label_selector = trimmed(selector);
        self
    }

    pub fn field_selector(mut self, selector: Option<&str>) -> Builder {
        self.field_selector = trimmed(selector);
        self
    }

    /// The verb's `--all` (delete: every object; scale: `TYPE` alone means every object).
    pub fn all(mut self, all: bool) -> Builder {
        self.all = all;
        self
    }

    /// `-A`: collections across every namespace; names are then an error.
    pub fn all_namespaces(mut self, all_namespaces: bool) -> Builder {
        self.all_namespaces = all_namespaces;
        self
    }

    /// `--subresource`: only for named objects.
    pub fn subresource(mut self, subresource: bool) -> Builder {
        self.subresource = subresource;
        self
    }

    /// `get --watch`: one resource type only. (kubectl's get also skips its own "Required
    /// resource not specified" then, so the builder's general message applies.)
    pub fn watch(mut self, watch: bool) -> Builder {
        self.watch = watch;
        self
    }

    /// Checks the combination the way kubectl does before it sends anything.
    pub fn parse(self) -> Result<Plan> {
        let verb = self.verb;
        let select_all = self.all && verb.all_is_a_selector();
        if select_all && (self.label_selector.is_some() || self.field_selector.is_some()) {
            bail!("setting 'all' parameter but found a non empty selector. ");
        }
        let filenames: Vec<Filename> = self
            .filenames
            .iter()
            .map(|f| Filename::parse(f))
            .collect::<Result<_>>()?;
        if filenames.iter().filter(|f| **f == Filename::Stdin).count() > 1 {
            bail!("standard input cannot be used for multiple arguments");
        }
        if verb.reads_files_only() && !self.args.is_empty() {
            return Err(verb.unexpected_args(&self.args));
        }
        let named_nothing = self.args.is_empty() && filenames.is_empty();
        let skips_check = verb == Verb::Get && self.watch;
        if named_nothing
            && !skips_check
            && let Some(err) = verb.nothing_named()
        {
            return Err(err);
        }
        let selection = if verb == Verb::Logs {
            logs_selection(&self.args, self.label_selector.is_some())?
        } else {
            parse_args(&self.args)?
        };
        let selectors = Selectors {
            label: self.label_selector,
            field: self.field_selector,
        };
        let form = if !filenames.is_empty() {
            let conflict = match selection {
                None => None,
                Some(Selection::Types(_) | Selection::Names { .. }) => Some(
                    "when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well",
                ),
                Some(Selection::Pairs(_)) => {
                    Some("resource/name arguments cannot be provided when a path is specified")
                }
            };
            Form::Files {
                filenames,
                conflict,
            }
        } else {
            let lists_types = verb.type_alone_selects_all(self.all)
                && matches!(selection, Some(Selection::Types(_)));
            let selecting =
                selectors.label.is_some() || selectors.field.is_some() || select_all || lists_types;
            match selection {
                Some(Selection::Names { .. }) if selecting => {
                    bail!("name cannot be provided when a selector is specified")
                }
                Some(Selection::Pairs(_)) if selecting => bail!(
                    "selectors and the all flag cannot be used when passing resource/name arguments"
                ),
                None if selecting => {
                    bail!("at least one resource must be specified to use a selector")
                }
                Some(Selection::Types(_)) if selecting && self.subresource => {
                    bail!("subresource cannot be used when bulk resources are specified")
                }
                Some(Selection::Types(words)) if selecting => Form::Collections(words),
                Some(Selection::Types(words)) => Form::TypesOnly(words),
                Some(Selection::Pairs(pairs)) => Form::Pairs(pairs),
                Some(Selection::Names { word, names }) => Form::Names { word, names },
                None => bail!("{MISSING_RESOURCE}"),
            }
        };
        Ok(Plan {
            verb,
            form,
            selectors,
            recursive: self.recursive,
            all_namespaces: self.all_namespaces,
            single_type: self.watch || verb == Verb::Logs,
        })
    }
}

fn trimmed(selector: Option<&str>) -> Option<String> {
    selector
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// kubectl logs' arguments: `POD [CONTAINER]`, `TYPE/NAME [CONTAINER]`, or none with `-l`.
/// The container is the verb's business; the builder reads the object.
fn logs_selection(args: &[String], has_selector: bool) -> Result<Option<Selection>> {
    match args {
        [] if has_selector => Ok(Some(Selection::Types(vec!["pods".to_owned()]))),
        [] => Err(verb::logs_usage()),
        [_] if has_selector => Err(verb::logs_name_and_selector()),
        [object] | [object, _] => Ok(Some(parse_object_arg(object, "pods")?)),
        _ => Err(verb::logs_usage()),
    }
}

impl Plan {
    /// Whether the targets come from `-f` manifests.
    pub fn reads_files(&self) -> bool {
        matches!(self.form, Form::Files { .. })
    }

    /// `-l` and `--field-selector` as given (for `-f`, the verb filters the objects by them).
    pub fn selectors(&self) -> &Selectors {
        &self.selectors
    }

    /// The targets in order. An error that concerns the whole command (an unknown type, a bad
    /// combination that needs discovery to see) fails it; a manifest that cannot be read or
    /// does not fit is an error in its place and the rest go on, as in kubectl.
    /// `stdin` is read for `-f -`.
    pub async fn resolve<S: CatalogSource>(
        &self,
        discovery: &mut Discovery<S>,
        scope: &Scope,
        stdin: &mut dyn Read,
    ) -> Result<Vec<Result<Target>>> {
        let namespace = (!self.all_namespaces).then_some(scope.namespace.as_str());
        let targets = match &self.form {
            Form::Files {
                filenames,
                conflict,
            } => {
                let sources = files::expand(filenames, self.recursive).map_err(super::aggregate)?;
                if let Some(conflict) = conflict {
                    bail!("{conflict}");
                }
                return Ok(self.manifests(discovery, &sources, scope, stdin).await);
            }
            Form::Collections(words) => self.collections(discovery, words, namespace).await?,
            Form::Pairs(pairs) => self.pairs(discovery, pairs, namespace).await?,
            Form::Names { word, names } => {
                let mut types = discovery.resolve(word).await?;
                if types.len() != 1 {
                    bail!("you must specify only one resource");
                }
                let rt = types.remove(0);
                let namespace = self.namespace_for_names(&rt, namespace)?;
                vec![Target {
                    rt,
                    namespace,
                    objects: Objects::Names(names.clone()),
                }]
            }
            Form::TypesOnly(words) => {
                for word in words {
                    discovery.resolve(word).await?;
                }
                bail!("resource(s) were provided, but no name was specified");
            }
        };
        Ok(targets.into_iter().map(Ok).collect())
    }

    /// Every type the words name (categories expanded), each once.
    async fn collections<S: CatalogSource>(
        &self,
        discovery: &mut Discovery<S>,
        words: &[String],
        namespace: Option<&str>,
    ) -> Result<Vec<Target>> {
        let mut types = Vec::new();
        for word in words {
            types.extend(discovery.resolve(word).await?);
        }
        if self.single_type && types.len() > 1 {
            bail!("you may only specify a single resource type");
        }
        let mut targets: Vec<Target> = Vec::new();
        for rt in types {
            if targets.iter().any(|t| t.rt == rt) {
                continue;
            }
            targets.push(Target {
                namespace: namespace.filter(|_| rt.namespaced).map(str::to_owned),
                rt,
                objects: Objects::Collection(self.selectors.clone()),
            });
        }
        Ok(targets)
    }

    /// One target per run of pairs of the same type (`deploy/a deploy/b svc/a` is two).
    async fn pairs<S: CatalogSource>(
        &self,
        discovery: &mut Discovery<S>,
        pairs: &[(String, String)],
        namespace: Option<&str>,
    ) -> Result<Vec<Target>> {
        let mut types: Vec<(&str, ResourceType)> = Vec::new();
        for (word, _) in pairs {
            if !types.iter().any(|(w, _)| w == word) {
                types.push((word, discovery.resolve_one(word).await?));
            }
        }
        let mut distinct: Vec<&ResourceType> = Vec::new();
        for (_, rt) in &types {
            if !distinct.contains(&rt) {
                distinct.push(rt);
            }
        }
        if self.single_type && distinct.len() > 1 {
            bail!("you may only specify a single resource type");
        }
        let mut targets: Vec<Target> = Vec::new();
        for (word, name) in pairs {
            let Some((_, rt)) = types.iter().find(|(w, _)| w == word) else {
                bail!("resource {word:?} is not recognized");
            };
            let namespace = self.namespace_for_names(rt, namespace)?;
            match targets.last_mut() {
                Some(last) if last.rt == *rt => {
                    if let Objects::Names(names) = &mut last.objects {
                        names.push(name.clone());
                    }
                }
                _ => targets.push(Target {
                    rt: rt.clone(),
                    namespace,
                    objects: Objects::Names(vec![name.clone()]),
                }),
            }
        }
        Ok(targets)
    }

    /// Named objects of a namespaced type need one namespace.
    fn namespace_for_names(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
    ) -> Result<Option<String>> {
        if !rt.namespaced {
            return Ok(None);
        }
        match namespace {
            Some(ns) if !ns.is_empty() => Ok(Some(ns.to_owned())),
            _ if self.all_namespaces => {
                bail!("a resource cannot be retrieved by name across all namespaces")
            }
            _ => bail!("namespace may not be empty when retrieving a resource by name"),
        }
    }

    /// The objects of every source, in order, each resolved or an error in its place.
    async fn manifests<S: CatalogSource>(
        &self,
        discovery: &mut Discovery<S>,
        sources: &[Source],
        scope: &Scope,
        stdin: &mut dyn Read,
    ) -> Vec<Result<Target>> {
        let urls = UrlReader::default();
        let mut targets = Vec::new();
        for source in sources {
            let text = match read_source(source, stdin, &urls).await {
                Ok(text) => text,
                Err(err) => {
                    targets.push(Err(err));
                    continue;
                }
            };
            for object in manifest::parse(&text, &source.name()) {
                targets.push(match object {
                    Ok(object) => {
                        let origin = object.origin.clone();
                        self.manifest_target(discovery, object, scope)
                            .await
                            .map_err(|err| ManifestError::new(origin, err).into())
                    }
                    Err(err) => Err(err),
                });
            }
        }
        targets
    }

    async fn manifest_target<S: CatalogSource>(
        &self,
        discovery: &mut Discovery<S>,
        mut object: Manifest,
        scope: &Scope,
    ) -> Result<Target> {
        let rt = match discovery
            .resolve_kind(&object.api_version, &object.kind)
            .await
        {
            Ok(rt) => rt,
            Err(err) if err.is::<UnknownKind>() => {
                return Err(UnknownManifestKind {
                    manifest: Box::new(object),
                }
                .into());
            }
            Err(err) => return Err(err),
        };
        let generate_name = object.body["metadata"]["generateName"]
            .as_str()
            .filter(|prefix| !prefix.is_empty());
        if let (Verb::Apply | Verb::Diff, true, Some(prefix)) =
            (self.verb, object.name.is_empty(), generate_name)
        {
            bail!("from {prefix}: cannot use generate name with apply");
        }
        if self.verb.needs_manifest_names() && object.name.is_empty() {
            bail!(
                "resource name may not be empty: the {} in {}",
                object.kind,
                object.origin
            );
        }
        let namespace = manifest_namespace(&rt, &object, scope, self.all_namespaces)?;
        object.set_namespace(namespace.clone());
        Ok(Target {
            rt,
            namespace,
            objects: Objects::Manifest(Box::new(object)),
        })
    }
}

/// Why one object of a manifest has no target, with where the object is. Prints as the
/// error itself (kubectl's words), whose causes stay in the chain; verbs that report origins
/// read `origin`.
#[derive(Debug)]
pub struct ManifestError {
    pub origin: Origin,
    error: anyhow::Error,
}

impl ManifestError {
    fn new(origin: Origin, error: anyhow::Error) -> ManifestError {
        ManifestError { origin, error }
    }
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let inner: &(dyn std::error::Error + Send + Sync + 'static) = self.error.as_ref();
        Some(inner)
    }
}

/// A manifest object of a kind discovery does not know (yet: a verb that also creates its
/// CustomResourceDefinition may resolve it later). Prints as kubectl's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct UnknownManifestKind {
    pub manifest: Box<Manifest>,
}

impl std::fmt::Display for UnknownManifestKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let object = &self.manifest;
        write!(
            f,
            "resource mapping not found for name: {:?} namespace: {:?} from {:?}: no matches for kind {:?} in version {:?}\nensure CRDs are installed first",
            object.name,
            object.namespace.as_deref().unwrap_or_default(),
            object.origin.source,
            object.kind,
            object.api_version
        )
    }
}

/// The namespace of an object read from a manifest (kubectl's `SetNamespace`,
/// `RequireNamespace` and `FilterNamespace` in one place): none for a cluster-scoped type;
/// with `-A` its own, which it must have; with `-n` its own only if it is the same; otherwise
/// its own or the command's.
pub fn manifest_namespace(
    rt: &ResourceType,
    object: &Manifest,
    scope: &Scope,
    all_namespaces: bool,
) -> Result<Option<String>> {
    if !rt.namespaced {
        return Ok(None);
    }
    match object.namespace.as_deref() {
        Some(theirs) if !all_namespaces && scope.explicit && theirs != scope.namespace => bail!(
            "the namespace from the provided object {theirs:?} does not match the namespace {:?}. You must pass '--namespace={theirs}' to perform this operation.",
            scope.namespace
        ),
        Some(theirs) => Ok(Some(theirs.to_owned())),
        None if all_namespaces => bail!(
            "no namespace set on resource {}/{}, Resource={} {:?}",
            rt.group,
            rt.version,
            rt.resource,
            object.name
        ),
        None => Ok(Some(scope.namespace.clone())),
    }
}

/// The text of one source.
async fn read_source(source: &Source, stdin: &mut dyn Read, urls: &UrlReader) -> Result<String> {
    let name = source.name();
    let bytes = match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .map_err(|err| anyhow!("reading STDIN: {}", super::io_message(&err)))?;
            bytes
        }
        Source::Url(url) => urls.read(url).await?.to_vec(),
        Source::File(path) => {
            let mut file = std::fs::File::open(path)
                .map_err(|err| anyhow!("open {name}: {}", super::io_message(&err)))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(|err| {
                anyhow!(
                    "error parsing {name}: read {name}: {}",
                    super::io_message(&err)
                )
            })?;
            bytes
        }
    };
    manifest::decode_text(&bytes, &name)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::discovery::Catalog;
    use crate::discovery::tests::fixture_catalog;
    use crate::resource::REQUIRED_RESOURCE;

    /// Discovery that serves the recorded v1.33 server's catalog.
    struct Fixture;

    impl CatalogSource for Fixture {
        async fn fetch_catalog(&self) -> Result<Catalog> {
            Ok(fixture_catalog())
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn get(args: &[&str]) -> Builder {
        Builder::new(Verb::Get).args(&strings(args))
    }

    fn parse_error(builder: Builder) -> String {
        crate::error::message(&builder.parse().unwrap_err())
    }

    fn shop() -> Scope {
        Scope {
            namespace: "shop".into(),
            explicit: false,
        }
    }

    fn resolve_with(builder: Builder, scope: &Scope, stdin: &str) -> Result<Vec<Result<Target>>> {
        let plan = builder.parse()?;
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async {
                let mut discovery = Discovery::new(Fixture, None);
                plan.resolve(&mut discovery, scope, &mut stdin.as_bytes())
                    .await
            })
    }

    fn resolve(builder: Builder) -> Result<Vec<Result<Target>>> {
        resolve_with(builder, &shop(), "")
    }

    fn resolve_error(builder: Builder) -> String {
        crate::error::message(&resolve(builder).unwrap_err())
    }

    /// `resource namespace what` per target, `error: …` per failed one.
    fn summary(targets: &[Result<Target>]) -> Vec<String> {
        targets
            .iter()
            .map(|target| match target {
                Ok(t) => {
                    let what = match &t.objects {
                        Objects::Names(names) => names.join(","),
                        Objects::Collection(_) => "*".to_owned(),
                        Objects::Manifest(m) => format!("{} ({})", m.name, m.origin.document),
                    };
                    format!(
                        "{} {} {what}",
                        t.rt.group_resource(),
                        t.namespace.as_deref().unwrap_or("-")
                    )
                }
                Err(err) => crate::error::message(err),
            })
            .collect()
    }

    fn resolved(builder: Builder) -> Vec<String> {
        summary(&resolve(builder).expect("resolved"))
    }

    #[test]
    fn each_verb_words_an_empty_command_its_own_way() {
        assert_eq!(parse_error(get(&[])), REQUIRED_RESOURCE);
        assert_eq!(
            parse_error(get(&[]).label_selector(Some("a=b"))),
            REQUIRED_RESOURCE
        );
        assert_eq!(
            parse_error(get(&[]).watch(true)),
            format!("error: {MISSING_RESOURCE}")
        );
        let empty = |verb| parse_error(Builder::new(verb));
        assert_eq!(
            empty(Verb::Describe),
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources."
        );
        assert_eq!(empty(Verb::Delete), format!("error: {MISSING_RESOURCE}"));
        assert_eq!(empty(Verb::Scale), format!("error: {MISSING_RESOURCE}"));
        assert_eq!(
            empty(Verb::Rollout),
            "error: required resource not specified"
        );
        assert_eq!(
            empty(Verb::Logs),
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples"
        );
        assert_eq!(empty(Verb::Apply), "error: must specify one of -f and -k");
        assert_eq!(empty(Verb::Create), "error: must specify one of -f and -k");
        assert_eq!(
            parse_error(Builder::new(Verb::Apply).args(&strings(&["pods", "web"]))),
            "error: Unexpected args: [pods web]\nSee 'kubectl apply -h' for help and examples"
        );
    }

    #[test]
    fn a_type_alone_lists_where_the_verb_allows_it() {
        assert_eq!(resolved(get(&["pods"])), ["pods shop *"]);
        let delete = Builder::new(Verb::Delete).args(&strings(&["pods"]));
        assert_eq!(
            resolve_error(delete.clone()),
            "error: resource(s) were provided, but no name was specified"
        );
        assert_eq!(resolved(delete.clone().all(true)), ["pods shop *"]);
        assert_eq!(
            resolved(delete.label_selector(Some("app=web"))),
            ["pods shop *"]
        );
        let scale = Builder::new(Verb::Scale).args(&strings(&["deploy"]));
        assert_eq!(
            resolve_error(scale.clone()),
            "error: resource(s) were provided, but no name was specified"
        );
        assert_eq!(resolved(scale.all(true)), ["deployments.apps shop *"]);
        assert_eq!(
            resolve_error(Builder::new(Verb::Delete).args(&strings(&["flurbs"]))),
            "error: the server doesn't have a resource type \"flurbs\""
        );
    }

    #[test]
    fn selectors_and_all_exclude_names() {
        let delete = |args: &[&str]| Builder::new(Verb::Delete).args(&strings(args));
        assert_eq!(
            parse_error(delete(&["pods", "web"]).all(true)),
            "error: name cannot be provided when a selector is specified"
        );
        assert_eq!(
            parse_error(get(&["pods", "web"]).label_selector(Some("a=b"))),
            "error: name cannot be provided when a selector is specified"
        );
        assert_eq!(
            parse_error(get(&["pods", "web"]).field_selector(Some("a=b"))),
            "error: name cannot be provided when a selector is specified"
        );
        assert_eq!(
            parse_error(get(&["pod/web"]).label_selector(Some("a=b"))),
            "error: selectors and the all flag cannot be used when passing resource/name arguments"
        );
        assert_eq!(
            parse_error(delete(&["pod/web"]).all(true)),
            "error: selectors and the all flag cannot be used when passing resource/name arguments"
        );
        assert_eq!(
            parse_error(delete(&[]).all(true)),
            "error: at least one resource must be specified to use a selector"
        );
        assert_eq!(
            parse_error(delete(&["pods"]).all(true).label_selector(Some("a=b"))),
            "error: setting 'all' parameter but found a non empty selector. "
        );
        // Blank selectors are no selectors.
        assert_eq!(
            resolved(get(&["pods", "web"]).label_selector(Some("  "))),
            ["pods shop web"]
        );
        // scale's --all only makes a type alone mean every object.
        assert_eq!(
            resolved(
                Builder::new(Verb::Scale)
                    .args(&strings(&["deploy", "web"]))
                    .all(true)
            ),
            ["deployments.apps shop web"]
        );
    }

    #[test]
    fn files_exclude_type_arguments() {
        let dir = tempfile::TempDir::new().expect("dir");
        let file = write(dir.path(), "x.yaml", "");
        let with_file = |args: &[&str]| get(args).filenames(std::slice::from_ref(&file), false);
        assert_eq!(
            resolve_error(with_file(&["pods"])),
            "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well"
        );
        assert_eq!(
            resolve_error(with_file(&["pods", "web"])),
            "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well"
        );
        assert_eq!(
            resolve_error(with_file(&["pod/web"])),
            "error: resource/name arguments cannot be provided when a path is specified"
        );
        assert_eq!(
            resolve_error(get(&["pods"]).filenames(&[dir.path().join("nope.yaml")], false)),
            format!(
                "error: the path \"{}\" does not exist",
                dir.path().join("nope.yaml").display()
            ),
            "kubectl checks the paths first"
        );
        assert_eq!(
            parse_error(get(&[]).filenames(&[PathBuf::from("-"), PathBuf::from("-")], false)),
            "error: standard input cannot be used for multiple arguments"
        );
        assert!(
            with_file(&[])
                .label_selector(Some("a=b"))
                .parse()
                .expect("a filter")
                .reads_files()
        );
    }

    #[test]
    fn subresources_need_names() {
        assert_eq!(
            parse_error(get(&["flurbs"]).subresource(true)),
            "error: subresource cannot be used when bulk resources are specified"
        );
        assert_eq!(
            resolved(get(&["deploy", "web"]).subresource(true)),
            ["deployments.apps shop web"]
        );
    }

    #[test]
    fn types_are_resolved_once_each_and_categories_expand() {
        assert_eq!(resolved(get(&["pods,po,pod"])), ["pods shop *"]);
        assert_eq!(
            resolved(get(&["pods,nodes"]).all_namespaces(true)),
            ["pods - *", "nodes - *"]
        );
        let all = resolved(get(&["all"]));
        assert_eq!(all[0], "pods shop *");
        assert!(
            all.contains(&"deployments.apps shop *".to_owned()),
            "{all:?}"
        );
        let all_and_pods = resolved(get(&["all,pods"]));
        assert_eq!(all, all_and_pods, "pods is in all already");
        assert_eq!(
            resolve_error(get(&["pods,"])),
            "error: the server doesn't have a resource type \"\""
        );
    }

    #[test]
    fn names_go_with_one_type() {
        assert_eq!(resolved(get(&["pods", "a", "b", "a"])), ["pods shop a,b,a"]);
        assert_eq!(resolved(get(&["ns", "shop"])), ["namespaces - shop"]);
        assert_eq!(
            resolve_error(get(&["all", "web"])),
            "error: you must specify only one resource"
        );
        assert_eq!(
            resolve_error(get(&["pods", "web"]).all_namespaces(true)),
            "error: a resource cannot be retrieved by name across all namespaces"
        );
        assert_eq!(
            resolved(get(&["ns", "shop"]).all_namespaces(true)),
            ["namespaces - shop"],
            "cluster-scoped names are fine across namespaces"
        );
    }

    #[test]
    fn pairs_keep_their_order_and_group_runs_of_a_type() {
        assert_eq!(
            resolved(get(&["deploy/a", "deployment/b", "svc/a", "deploy/c"])),
            [
                "deployments.apps shop a,b",
                "services shop a",
                "deployments.apps shop c"
            ]
        );
        assert_eq!(
            resolved(get(&["pods,svc", "a", "b"])),
            ["pods shop a,b", "services shop a,b"]
        );
        assert_eq!(
            resolved(get(&["pods,po", "a"])),
            ["pods shop a,a"],
            "kubectl gets the object once per type word"
        );
        assert_eq!(
            resolve_error(get(&["all/web"])),
            "error: the server doesn't have a resource type \"all\""
        );
        assert_eq!(
            resolve_error(get(&["deploy/a", "pod/b"]).all_namespaces(true)),
            "error: a resource cannot be retrieved by name across all namespaces"
        );
    }

    #[test]
    fn watches_and_logs_take_one_type() {
        for args in [
            &["pods,svc"][..],
            &["pods,po"],
            &["all"],
            &["pod/a", "svc/b"],
        ] {
            assert_eq!(
                resolve_error(get(args).watch(true)),
                "error: you may only specify a single resource type",
                "{args:?}"
            );
        }
        assert_eq!(
            resolved(get(&["pod/a", "po/b"]).watch(true)),
            ["pods shop a,b"]
        );
        let logs = |args: &[&str]| Builder::new(Verb::Logs).args(&strings(args));
        assert_eq!(resolved(logs(&["web-0"])), ["pods shop web-0"]);
        assert_eq!(resolved(logs(&["web-0", "sidecar"])), ["pods shop web-0"]);
        assert_eq!(
            resolved(logs(&["deploy/web"])),
            ["deployments.apps shop web"]
        );
        assert_eq!(
            resolved(logs(&[]).label_selector(Some("app=web"))),
            ["pods shop *"]
        );
        assert_eq!(
            parse_error(logs(&["web-0"]).label_selector(Some("app=web"))),
            "error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples"
        );
        assert!(parse_error(logs(&["a", "b", "c"])).starts_with("error: expected 'logs"));
    }

    fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    fn files(paths: &[PathBuf]) -> Builder {
        get(&[]).filenames(paths, true)
    }

    #[test]
    fn manifests_get_their_namespace_from_one_rule() {
        let dir = tempfile::TempDir::new().expect("dir");
        let path = write(
            dir.path(),
            "m.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own, namespace: theirs}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns, namespace: ignored}\n",
        );
        let plain = resolve(files(std::slice::from_ref(&path))).expect("resolved");
        assert_eq!(
            summary(&plain),
            [
                "configmaps theirs own (1)",
                "configmaps shop plain (2)",
                "namespaces - ns (3)"
            ]
        );
        let Ok(Target {
            objects: Objects::Manifest(filled),
            ..
        }) = &plain[1]
        else {
            panic!("a manifest");
        };
        assert_eq!(
            filled.body["metadata"]["namespace"], "shop",
            "the body has it too"
        );
        let Ok(Target {
            objects: Objects::Manifest(namespace),
            ..
        }) = &plain[2]
        else {
            panic!("a manifest");
        };
        assert!(namespace.body["metadata"].get("namespace").is_none());

        let explicit = Scope {
            namespace: "shop".into(),
            explicit: true,
        };
        assert_eq!(
            summary(
                &resolve_with(files(std::slice::from_ref(&path)), &explicit, "").expect("resolved")
            ),
            [
                "error: the namespace from the provided object \"theirs\" does not match the namespace \"shop\". You must pass '--namespace=theirs' to perform this operation.",
                "configmaps shop plain (2)",
                "namespaces - ns (3)",
            ]
        );
        assert_eq!(
            summary(
                &resolve_with(files(&[path]).all_namespaces(true), &explicit, "")
                    .expect("resolved")
            ),
            [
                "configmaps theirs own (1)",
                "error: no namespace set on resource /v1, Resource=configmaps \"plain\"",
                "namespaces - ns (3)",
            ]
        );
    }

    #[test]
    fn manifest_failures_stay_in_their_place() {
        let dir = tempfile::TempDir::new().expect("dir");
        let cm =
            |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
        write(dir.path(), "a.yaml", &cm("a"));
        write(
            dir.path(),
            "b.yaml",
            "apiVersion: v1\nkind: Flurb\nmetadata: {name: f}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n---\nkind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: never}\n",
        );
        write(dir.path(), "c.yml", &cm("c"));
        let b = dir.path().join("b.yaml").display().to_string();
        let got = summary(&resolve(files(&[dir.path().to_path_buf()])).expect("resolved"));
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], "configmaps shop a (1)");
        assert_eq!(
            got[1],
            format!(
                "error: resource mapping not found for name: \"f\" namespace: \"\" from \"{b}\": no matches for kind \"Flurb\" in version \"v1\"\nensure CRDs are installed first"
            )
        );
        assert_eq!(
            got[2],
            format!(
                "error: resource name may not be empty: the ConfigMap in {b} (document 2, line 5)"
            )
        );
        assert!(
            got[3].starts_with(&format!(
                "error: error parsing {b} (document 3, line 9, column 7): "
            )),
            "{}",
            got[3]
        );
        assert_eq!(got[4], "configmaps shop c (1)");
    }

    #[cfg(unix)]
    #[test]
    fn recursion_survives_a_symlink_loop() {
        let dir = tempfile::TempDir::new().expect("dir");
        write(
            dir.path(),
            "d/a.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        );
        write(
            dir.path(),
            "d/sub/b.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        );
        std::os::unix::fs::symlink("..", dir.path().join("d/sub/up")).expect("link");
        std::os::unix::fs::symlink("../..", dir.path().join("d/sub/up.yaml")).expect("link");
        let got = summary(&resolve(files(&[dir.path().join("d")])).expect("resolved"));
        let up = dir.path().join("d/sub/up.yaml").display().to_string();
        assert_eq!(
            got,
            [
                "configmaps shop a (1)".to_owned(),
                "configmaps shop b (1)".to_owned(),
                format!("error: error parsing {up}: read {up}: is a directory"),
            ]
        );
    }

    #[test]
    fn stdin_and_urls_are_sources_too() {
        let server = crate::resource::http::tests::CannedServer::start(&[
            (
                "200 OK",
                "apiVersion: v1\nkind: Secret\nmetadata: {name: from-url}\n",
            ),
            ("404 Not Found", ""),
        ]);
        let found = format!("{}/found.yaml", server.url);
        let missing = format!("{}/missing.yaml", server.url);
        let builder = get(&[]).filenames(
            &[
                PathBuf::from("-"),
                PathBuf::from(&found),
                PathBuf::from(&missing),
            ],
            false,
        );
        let stdin =
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"from-stdin\"}}";
        let got = summary(&resolve_with(builder, &shop(), stdin).expect("resolved"));
        assert_eq!(
            got,
            [
                "configmaps shop from-stdin (1)".to_owned(),
                "secrets shop from-url (1)".to_owned(),
                format!(
                    "error: unable to read URL {missing:?}, server reported 404 Not Found, status code=404"
                ),
            ]
        );
    }

    #[test]
    fn missing_paths_fail_the_whole_command() {
        let err = resolve_error(files(&[PathBuf::from("/no/such.yaml")]));
        assert_eq!(err, "error: the path \"/no/such.yaml\" does not exist");
        let both = resolve_error(files(&[
            PathBuf::from("/no/a.yaml"),
            PathBuf::from("/no/b.yaml"),
        ]));
        assert_eq!(
            both,
            "the path \"/no/a.yaml\" does not exist\nthe path \"/no/b.yaml\" does not exist"
        );
    }
}
