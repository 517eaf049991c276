# Shared by the benchmark scripts (source it): the /healthz yardstick.
# Needs from the caller: WORK (a temp dir nginx's workers can read), PIDS (an array of pids to
# stop), free_port and wait_for_http.

# Starts nginx serving {"status":"ok"} as /healthz.json (2 workers, no access log, keep-alive
# without limit) on a free loopback port; sets NGINX_PORT.
start_nginx() {
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/www" "$WORK/nginx-tmp"
  printf '{"status":"ok"}' >"$WORK/www/healthz.json"
  chmod -R a+rX "$WORK/www"
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; default_type application/json; }
}
CONF
  nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
  PIDS+=($!)
  wait_for_http "http://127.0.0.1:$NGINX_PORT/healthz.json"
}
