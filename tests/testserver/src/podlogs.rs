//! `GET pods/<name>/log`: choosing the container, the query options, and following.

use bytes::Bytes;
use http_body_util::{BodyExt, channel::Channel};
use hyper::Response;
use jiff::Timestamp;
use serde_json::Value;

use crate::logs::{ContainerRef, LogOptions, render};
use crate::router::Target;
use crate::server::{ApiRequest, Body, Shared, error_response, response};
use crate::status::ApiError;
use crate::store::ObjectKey;

pub fn serve(shared: &Shared, target: &Target, req: &ApiRequest) -> Response<Body> {
    match start(shared, target, req) {
        Ok(resp) => resp,
        Err(err) => error_response(&err),
    }
}

fn names(pod: &Value, list: &str) -> Vec<String> {
    pod["spec"][list]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Which container the request reads, with the real server's errors.
fn choose_container(pod: &Value, requested: Option<&str>) -> Result<String, ApiError> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let containers = names(pod, "containers");
    let init = names(pod, "initContainers");
    match requested {
        Some(name) if containers.iter().chain(&init).any(|c| c == name) => Ok(name.to_string()),
        Some(name) => Err(ApiError::bad_request(format!(
            "container {name} is not valid for pod {pod_name}"
        ))),
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => {
            let mut message = format!(
                "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                containers.join(" ")
            );
            if !init.is_empty() {
                message.push_str(&format!(
                    " or one of the init containers: [{}]",
                    init.join(" ")
                ));
            }
            Err(ApiError::bad_request(message))
        }
    }
}

/// A container that has not started has no logs yet.
fn check_started(pod: &Value, container: &str) -> Result<(), ApiError> {
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let statuses = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|k| pod["status"][k].as_array())
        .flatten();
    let status = statuses.into_iter().find(|s| s["name"] == container);
    let waiting = match status {
        None => Some("ContainerCreating".to_string()),
        Some(s)
            if s["state"].get("waiting").is_some()
                && s["lastState"].get("terminated").is_none() =>
        {
            Some(
                s["state"]["waiting"]["reason"]
                    .as_str()
                    .unwrap_or("ContainerCreating")
                    .to_string(),
            )
        }
        Some(_) => None,
    };
    match waiting {
        Some(reason) => Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
        ))),
        None => Ok(()),
    }
}

fn parse<T: std::str::FromStr>(req: &ApiRequest, name: &str) -> Result<Option<T>, ApiError> {
    req.param(name)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ApiError::bad_request(format!("invalid value for {name}: {v}")))
        })
        .transpose()
}

fn options(req: &ApiRequest) -> Result<LogOptions, ApiError> {
    Ok(LogOptions {
        follow: req.flag("follow"),
        previous: req.flag("previous"),
        timestamps: req.flag("timestamps"),
        tail_lines: parse::<i64>(req, "tailLines")?.and_then(|n| usize::try_from(n).ok()),
        since_seconds: parse(req, "sinceSeconds")?,
        since_time: parse(req, "sinceTime")?,
        limit_bytes: parse(req, "limitBytes")?,
    })
}

fn start(shared: &Shared, target: &Target, req: &ApiRequest) -> Result<Response<Body>, ApiError> {
    let namespace = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let pod = shared
        .store
        .get(&ObjectKey::new("", "pods", &namespace, &name))
        .ok_or_else(|| ApiError::not_found("", "pods", &name))?;
    let container = choose_container(&pod, req.param("container"))?;
    let options = options(req)?;
    if !options.previous {
        check_started(&pod, &container)?;
    }
    let started: Timestamp = pod["status"]["startTime"]
        .as_str()
        .or(pod["metadata"]["creationTimestamp"].as_str())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(Timestamp::now);
    let reference = ContainerRef {
        namespace,
        pod: name.clone(),
        container: container.clone(),
    };
    let (lines, feed) = shared
        .logs
        .read(&reference, started, &options, Timestamp::now())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            ))
        })?;
    let mut text: String = lines
        .iter()
        .map(|l| render(l, options.timestamps))
        .collect();
    let Some(mut feed) = feed else {
        if let Some(limit) = options.limit_bytes {
            let mut cut = limit.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        return Ok(response(200, "text/plain", text));
    };
    let (mut sender, body) = Channel::<Bytes, std::convert::Infallible>::new(64);
    let mut stream = FollowedStream {
        cut_after: req.cut_stream_after,
        bytes_left: options.limit_bytes,
        sent: 0,
    };
    let timestamps = options.timestamps;
    let what = format!("following the log of {}", req.path);
    crate::panics::spawn(&shared.panics, what, async move {
        for line in lines {
            let Some(data) = stream.next(render(&line, timestamps)) else {
                return;
            };
            if sender.send_data(data).await.is_err() || stream.over() {
                return;
            }
        }
        while let Ok(line) = feed.recv().await {
            let Some(data) = stream.next(render(&line, timestamps)) else {
                return;
            };
            if sender.send_data(data).await.is_err() || stream.over() {
                return;
            }
        }
    });
    let mut resp = Response::new(body.boxed());
    if let Ok(value) = "text/plain".parse() {
        resp.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    Ok(resp)
}

/// Where a followed log stream stops: after `limitBytes`, or after the lines a fault allows.
struct FollowedStream {
    cut_after: Option<usize>,
    bytes_left: Option<usize>,
    sent: usize,
}

impl FollowedStream {
    /// The bytes to send for this line (cut at the byte limit); `None` once nothing more goes.
    fn next(&mut self, line: String) -> Option<Bytes> {
        let mut data = line.into_bytes();
        if let Some(left) = self.bytes_left.as_mut() {
            if *left == 0 {
                return None;
            }
            data.truncate(*left);
            *left -= data.len();
        }
        self.sent += 1;
        Some(Bytes::from(data))
    }

    /// Whether the stream is over after what was sent.
    fn over(&self) -> bool {
        self.cut_after.is_some_and(|n| self.sent >= n) || self.bytes_left == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
    }

    #[test]
    fn multi_container_pods_need_a_container() {
        let pod = json!({"metadata": {"name": "log-agent-dhfr8"},
            "spec": {"containers": [{"name": "shipper"}, {"name": "rotator"}]}});
        let err = choose_container(&pod, None).unwrap_err();
        assert_eq!(
            err.to_status(),
            fixture("096-pod-log-no-container-on-multi-container-pod.json")
        );
        assert_eq!(
            choose_container(&pod, Some("rotator")).expect("valid"),
            "rotator"
        );
        assert_eq!(choose_container(&pod, Some("nope")).unwrap_err().code, 400);
    }

    #[test]
    fn followed_streams_stop_at_the_byte_limit_or_the_cut() {
        let mut limited = FollowedStream {
            cut_after: None,
            bytes_left: Some(10),
            sent: 0,
        };
        assert_eq!(
            limited.next("line one\n".into()).as_deref(),
            Some(&b"line one\n"[..])
        );
        assert!(!limited.over());
        assert_eq!(
            limited.next("line two\n".into()).as_deref(),
            Some(&b"l"[..])
        );
        assert!(limited.over());
        assert_eq!(limited.next("line three\n".into()), None);
        let mut cut = FollowedStream {
            cut_after: Some(2),
            bytes_left: None,
            sent: 0,
        };
        cut.next("a\n".into());
        assert!(!cut.over());
        cut.next("b\n".into());
        assert!(cut.over());
    }

    #[test]
    fn waiting_containers_have_no_logs() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "web"}]},
            "status": {"containerStatuses": [{"name": "web", "state": {"waiting": {"reason": "ContainerCreating"}}}]}});
        let err = check_started(&pod, "web").unwrap_err();
        assert_eq!(
            err.message,
            "container \"web\" in pod \"p\" is waiting to start: ContainerCreating"
        );
        let running =
            json!({"status": {"containerStatuses": [{"name": "web", "state": {"running": {}}}]}});
        assert!(check_started(&running, "web").is_ok());
    }
}
