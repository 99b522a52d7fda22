from ninja import NinjaAPI

api = NinjaAPI(title="Pingan API", version="1", urls_namespace="api-v1")
