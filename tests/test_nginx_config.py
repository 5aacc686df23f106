"""deploy/nginx/haven.conf.template: rendered as docker-compose's nginx image renders it (only our
${HAVEN_*} placeholders replaced), nginx itself accepts it (`nginx -t`, when nginx is installed)."""

import subprocess

import pytest
import yaml

from deploy.stack import ROOT, TEMPLATE, StackConfig, nginx_binary, render_template, tls_make


def test_only_our_placeholders_are_replaced_and_a_missing_one_is_an_error():
    text = "proxy_pass http://${HAVEN_UPSTREAM}; set $x $host;"

    assert (
        render_template(text, {"HAVEN_UPSTREAM": "web:8000"}) == "proxy_pass http://web:8000; set $x $host;"
    )
    with pytest.raises(ValueError, match="HAVEN_UPSTREAM"):
        render_template(text, {})


def test_nginx_accepts_the_template_with_the_compose_files_values(tmp_path):
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (deploy/install-nginx.sh)")
    # given the compose proxy's environment, with a certificate and folders that exist here
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["proxy"][
        "environment"
    ]
    config = StackConfig.from_environment({"HAVEN_STACK_DIR": str(tmp_path)})
    tls_make(config)
    values = {
        **environment,
        "HAVEN_UPSTREAM": "127.0.0.1:8000",  # `web` resolves only on the compose network
        "HAVEN_TLS_CERTIFICATE": str(config.tls_dir / "chain.pem"),
        "HAVEN_TLS_CERTIFICATE_KEY": str(config.tls_dir / "key.pem"),
        "HAVEN_STATIC_ROOT": str(tmp_path),
    }
    site = tmp_path / "haven.conf"
    site.write_text(render_template(TEMPLATE.read_text(), values))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}} http {{ include {site}; }}\n")

    result = subprocess.run([nginx, "-t", "-c", str(main)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
