package source

import (
	"net/url"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the article. Removing them makes the same article's links equal.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true, "igshid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "vero_conv": true,
	"rb_clickid": true, "s_cid": true, "ncid": true, "ocid": true, "cmpid": true, "cmp": true,
	"icid": true, "smid": true, "smtyp": true, "emc": true, "spm": true, "__twitter_impression": true,
	"wt_mc": true, "wt_zmc": true, "ito": true, "mbid": true, "ref_src": true, "ref_url": true,
	"ns_mchannel": true, "ns_source": true, "ns_campaign": true, "ns_linkname": true, "ns_fee": true,
	// AT Internet parameters the BBC appends to every feed link.
	"at_medium": true, "at_campaign": true, "at_format": true, "at_link_id": true, "at_link_type": true,
	"at_link_origin": true, "at_ptr_name": true, "at_bbc_team": true, "at_custom1": true,
	"at_custom2": true, "at_custom3": true, "at_custom4": true,
}

func isTrackingParam(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// CanonicalLink resolves raw against base (which may be nil) and returns
// the canonical http(s) form: scheme and host lower-cased, default port,
// credentials, fragment and tracking parameters removed, the order of the
// other parameters kept. It returns "" for anything that is not an
// absolute http(s) URL after resolution.
func CanonicalLink(raw string, base *url.URL) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	u.Host = strings.TrimSuffix(host, ".")
	if u.Hostname() == "" {
		return ""
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	if u.RawQuery != "" || u.ForceQuery {
		var kept []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if kv == "" {
				continue
			}
			k, _, _ := strings.Cut(kv, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if !isTrackingParam(k) {
				kept = append(kept, kv)
			}
		}
		u.RawQuery = strings.Join(kept, "&")
		u.ForceQuery = false
	}
	return u.String()
}

// httpBase parses s as a base for resolving links, or returns nil when it
// is not an absolute http(s) URL (a file path in preview, for instance).
func httpBase(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}
